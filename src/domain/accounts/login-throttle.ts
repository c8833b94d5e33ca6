import type { Clock } from '../../clock.js'
import type { LoginThrottleConfig } from '../../config.js'
import type { LookupHasher } from '../../crypto/lookup.js'
import { rateLimited } from '../../errors.js'
import type { ClientKey } from '../../limits/client-key.js'
import type { CounterStore, Reservation } from '../../limits/counter-store.js'

/**
 * Login throttling per account and per client address (docs/architecture.md "Login throttling"). Every
 * surface's login counts into the same counters. Once either count reaches its maximum, every
 * attempt is refused until the window closes, even one with the right password, so guessing
 * cannot continue at argon2 speed. Unknown e-mails are counted too: a throttle that only guarded
 * real accounts would tell an attacker which ones are real.
 *
 * An attempt is reserved on both counters before its password is judged, each reservation one
 * atomic step on the counter store (as a one-time secret's passphrase attempt is taken before it
 * is judged). A burst of concurrent guesses, on one node or many, therefore gets at most the
 * maximum judged; the rest are refused without hashing, whatever password they carry. Checking
 * first and counting after the hash would let every request of a burst pass the check.
 */
export interface ThrottleKeys {
  account: string
  ip: string
}

/** An attempt that holds one count on each counter until it is known to have succeeded. */
export interface ReservedAttempt {
  keys: ThrottleKeys
  ipWindowEndsAt: Date
}

export interface LoginThrottle {
  /**
   * `subject` is the user id when the login names a real account, else the login as typed; the
   * address counts as its client key (client-key.ts: an IPv6 network counts as one).
   */
  keysFor(subject: string, clientIp: string): ThrottleKeys
  /**
   * Counts the attempt as a failure in advance, or throws RATE_LIMITED (with Retry-After
   * seconds) when either counter is spent, counting nothing. A wrong password needs nothing more.
   */
  reserve(keys: ThrottleKeys): Promise<ReservedAttempt>
  /**
   * A correct password clears the account's counter and gives back its reservation on the
   * address: only failures count against an address.
   */
  recordSuccess(attempt: ReservedAttempt): Promise<void>
}

export function createLoginThrottle(deps: {
  counters: CounterStore
  lookup: LookupHasher
  clock: Clock
  config: LoginThrottleConfig
  clientKey: ClientKey
}): LoginThrottle {
  const { counters, lookup, clock, config, clientKey } = deps
  const windowMs = config.windowSeconds * 1000

  return {
    keysFor: (subject, clientIp) => ({
      account: `login-account:${lookup('login-account', subject)}`,
      ip: `login-ip:${lookup('login-ip', clientKey(clientIp))}`,
    }),

    async reserve(keys) {
      const now = clock.now()
      const [account, ip] = await Promise.all([
        counters.reserve(keys.account, config.maxFailuresPerAccount, windowMs, now),
        counters.reserve(keys.ip, config.maxFailuresPerIp, windowMs, now),
      ])
      if (account.reserved && ip.reserved) return { keys, ipWindowEndsAt: ip.windowEndsAt }

      // One counter refused: give back what the other took, so a refused attempt counts nowhere.
      await Promise.all([
        account.reserved ? counters.release(keys.account, account.windowEndsAt) : undefined,
        ip.reserved ? counters.release(keys.ip, ip.windowEndsAt) : undefined,
      ])
      const refusedBy = [account, ip].filter((count: Reservation) => !count.reserved)
      const until = Math.max(...refusedBy.map((count) => count.windowEndsAt.getTime()))
      throw rateLimited(Math.max(1, Math.ceil((until - now.getTime()) / 1000)))
    },

    async recordSuccess(attempt) {
      await Promise.all([
        counters.reset(attempt.keys.account),
        counters.release(attempt.keys.ip, attempt.ipWindowEndsAt),
      ])
    },
  }
}
