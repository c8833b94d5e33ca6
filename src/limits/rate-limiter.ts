import type { Clock } from '../clock.js'
import type { RateLimit } from '../config.js'
import { rateLimited } from '../errors.js'
import type { ClientKey } from './client-key.js'
import type { CounterStore } from './counter-store.js'

export interface RateLimiter {
  /**
   * Counts one request for `key` in every window and throws RATE_LIMITED (with the seconds until
   * the tightest spent window closes) when any window has gone past its limit. Refused requests
   * count too, as in flask-limiter's fixed windows: hammering does not reopen the door sooner.
   */
  hit(key: string): Promise<void>
  /**
   * `hit` for the client at `address` within `scope` (a route, say): the address is counted as
   * its client key (client-key.ts), so every address of one IPv6 network shares one count.
   */
  hitClient(scope: string, address: string): Promise<void>
}

/** Fixed-window rate limits over any counter store (memory for one node, Redis for several). */
export function createRateLimiter(deps: {
  counters: CounterStore
  clock: Clock
  limits: readonly RateLimit[]
  clientKey: ClientKey
}): RateLimiter {
  const { counters, clock, limits, clientKey } = deps
  const limiter: RateLimiter = {
    hitClient: (scope, address) => limiter.hit(`${scope}:${clientKey(address)}`),
    async hit(key) {
      if (limits.length === 0) return
      const now = clock.now()
      const counts = await Promise.all(
        limits.map((limit) =>
          counters.increment(`rate:${limit.limit}/${limit.windowMs}:${key}`, limit.windowMs, now),
        ),
      )
      let retryAt = 0
      counts.forEach((count, i) => {
        const limit = limits[i]
        if (limit !== undefined && count.count > limit.limit) {
          retryAt = Math.max(retryAt, count.windowEndsAt.getTime())
        }
      })
      if (retryAt > 0) {
        throw rateLimited(Math.max(1, Math.ceil((retryAt - now.getTime()) / 1000)))
      }
    },
  }
  return limiter
}
