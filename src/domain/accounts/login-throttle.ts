import type { Clock } from '../../clock.js'
import type { LoginThrottleConfig } from '../../config.js'
import type { LookupHasher } from '../../crypto/lookup.js'
import { rateLimited } from '../../errors.js'
import type { CounterStore } from '../limits/counter-store.js'

/**
 * Login throttling per account and per client address (docs/architecture.md "Login throttling"). Every
 * surface's login counts into the same counters. Once either count reaches its maximum, every
 * attempt is refused until the window closes, even one with the right password, so guessing
 * cannot continue at argon2 speed. Unknown e-mails are counted too: a throttle that only guarded
 * real accounts would tell an attacker which ones are real.
 */
export interface ThrottleKeys {
  account: string
  ip: string
}

export interface LoginThrottle {
  /** `subject` is the user id when the login names a real account, else the login as typed. */
  keysFor(subject: string, clientIp: string): ThrottleKeys
  /** Throws RATE_LIMITED (with Retry-After seconds) when either counter is spent. */
  check(keys: ThrottleKeys): Promise<void>
  recordFailure(keys: ThrottleKeys): Promise<void>
  /** A correct password clears the account's counter; the address keeps its count. */
  recordSuccess(keys: ThrottleKeys): Promise<void>
}

export function createLoginThrottle(deps: {
  counters: CounterStore
  lookup: LookupHasher
  clock: Clock
  config: LoginThrottleConfig
}): LoginThrottle {
  const { counters, lookup, clock, config } = deps
  const windowMs = config.windowSeconds * 1000

  return {
    keysFor: (subject, clientIp) => ({
      account: `login-account:${lookup('login-account', subject)}`,
      ip: `login-ip:${lookup('login-ip', clientIp)}`,
    }),

    async check(keys) {
      const now = clock.now()
      const [account, ip] = await Promise.all([
        counters.peek(keys.account, now),
        counters.peek(keys.ip, now),
      ])
      const spent = [
        account !== undefined && account.count >= config.maxFailuresPerAccount
          ? account
          : undefined,
        ip !== undefined && ip.count >= config.maxFailuresPerIp ? ip : undefined,
      ].filter((count) => count !== undefined)
      if (spent.length === 0) return
      const until = Math.max(...spent.map((count) => count.windowEndsAt.getTime()))
      throw rateLimited(Math.max(1, Math.ceil((until - now.getTime()) / 1000)))
    },

    async recordFailure(keys) {
      const now = clock.now()
      await Promise.all([
        counters.increment(keys.account, windowMs, now),
        counters.increment(keys.ip, windowMs, now),
      ])
    },

    async recordSuccess(keys) {
      await counters.reset(keys.account)
    },
  }
}
