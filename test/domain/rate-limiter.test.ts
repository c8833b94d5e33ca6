import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import type { CounterStore } from '../../src/limits/counter-store.js'
import { createClientKey } from '../../src/limits/client-key.js'
import { createMemoryCounterStore } from '../../src/limits/memory-counter-store.js'
import { createRateLimiter } from '../../src/limits/rate-limiter.js'
import { createRedisCounterStore } from '../../src/limits/redis-counter-store.js'
import { isAppError } from '../../src/errors.js'
import { manualClock } from '../helpers/clock.js'

const clientKey = createClientKey(64)
const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379'
const LIMITS = [
  { limit: 1, windowMs: 1000, text: '1/second' },
  { limit: 5, windowMs: 60_000, text: '5/minute' },
  { limit: 10, windowMs: 3_600_000, text: '10/hour' },
]

/** The seconds until retry when `hit` is refused, or 0 when it is allowed. */
async function retryAfter(hit: Promise<void>): Promise<number> {
  try {
    await hit
    return 0
  } catch (error) {
    assert.ok(isAppError(error) && error.code === 'RATE_LIMITED')
    return error.details.retryAfterSeconds ?? -1
  }
}

const stores: [string, () => { counters: CounterStore; close(): Promise<void> }][] = [
  ['memory', () => ({ counters: createMemoryCounterStore(), close: () => Promise.resolve() })],
  [
    'redis',
    () => {
      const counters = createRedisCounterStore(REDIS_URL)
      return { counters, close: () => counters.close() }
    },
  ],
]

for (const [name, open] of stores) {
  describe(`fixed-window rate limits (${name} counters)`, () => {
    it('trips exactly at 1/second, 5/minute and 10/hour', async (t) => {
      const store = open()
      t.after(() => store.close())
      const { counters } = store
      const clock = manualClock()
      const limiter = createRateLimiter({ counters, clock, limits: LIMITS, clientKey })
      const key = `client-${randomBytes(4).toString('hex')}`

      assert.equal(await retryAfter(limiter.hit(key)), 0)
      assert.equal(await retryAfter(limiter.hit(key)), 1, 'second request in the same second')
      clock.advance(1000)
      // The refused request counted towards the minute: two used, three left this minute.
      for (let i = 0; i < 3; i++) {
        assert.equal(await retryAfter(limiter.hit(key)), 0, `request ${i} of the minute`)
        clock.advance(1000)
      }
      assert.equal(await retryAfter(limiter.hit(key)), 56, 'sixth request of the minute (t=4s)')

      clock.advance(56_000)
      for (let i = 0; i < 4; i++) {
        assert.equal(await retryAfter(limiter.hit(key)), 0)
        clock.advance(1000)
      }
      // Ten requests so far this hour (refused ones count); the eleventh is refused by the hour.
      clock.advance(60_000)
      const hour = await retryAfter(limiter.hit(key))
      assert.ok(hour > 3000 && hour <= 3600, `hour limit, retry after ${hour}`)

      const neighbour = await retryAfter(limiter.hit(`${key}-other`))
      assert.equal(neighbour, 0, 'another key has its own windows')
    })
  })
}

describe('rate limits shared through Redis', () => {
  it('count one client against one limit across two nodes', async (t) => {
    const a = createRedisCounterStore(REDIS_URL)
    const b = createRedisCounterStore(REDIS_URL)
    t.after(async () => {
      await a.close()
      await b.close()
    })
    const clock = manualClock()
    const limits = [{ limit: 5, windowMs: 60_000, text: '5/minute' }]
    const nodeA = createRateLimiter({ counters: a, clock, limits, clientKey })
    const nodeB = createRateLimiter({ counters: b, clock, limits, clientKey })
    const key = `shared-${randomBytes(4).toString('hex')}`
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => retryAfter((i % 2 === 0 ? nodeA : nodeB).hit(key))),
    )
    assert.equal(results.filter((seconds) => seconds === 0).length, 5)
  })
})
