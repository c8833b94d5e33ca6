import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'

import { openStore } from '../../src/db/connect.js'
import { prepareStore } from '../../src/db/prepare.js'
import type { CounterStore } from '../../src/limits/counter-store.js'
import { createMemoryCounterStore } from '../../src/limits/memory-counter-store.js'
import { createRedisCounterStore } from '../../src/limits/redis-counter-store.js'
import { createSqlCounterStore } from '../../src/limits/sql-counter-store.js'
import { createTestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379'
const WINDOW_MS = 60_000
const START = new Date('2026-11-22T12:00:00.000Z')

/** Two handles on one counter store: what two nodes sharing it see. */
type OpenNodes = (t: TestContext) => Promise<[CounterStore, CounterStore]>

const kinds: [string, OpenNodes][] = [
  [
    'memory',
    () => {
      // Memory counters belong to one process: both "nodes" are the same store.
      const store = createMemoryCounterStore()
      return Promise.resolve([store, store])
    },
  ],
  [
    'redis',
    (t) => {
      const a = createRedisCounterStore(REDIS_URL)
      const b = createRedisCounterStore(REDIS_URL)
      t.after(async () => {
        await a.close()
        await b.close()
      })
      return Promise.resolve([a, b])
    },
  ],
  ...DIALECTS.map((dialect): [string, OpenNodes] => [
    `sql on ${dialect}`,
    async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const stores = [
        openStore(environment.config.database),
        openStore(environment.config.database),
      ]
      for (const store of stores) environment.defer(() => store.close())
      for (const store of stores) await prepareStore(store)
      const [a, b] = stores.map((store) => createSqlCounterStore(store.db))
      if (a === undefined || b === undefined) throw new Error('two stores were opened')
      return [a, b]
    },
  ]),
]

for (const [name, openNodes] of kinds) {
  describe(`counter reservations (${name})`, () => {
    it('lets exactly the maximum of a concurrent burst through, across two nodes', async (t) => {
      const [a, b] = await openNodes(t)
      const key = `burst-${randomBytes(4).toString('hex')}`
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? a : b).reserve(key, 10, WINDOW_MS, START),
        ),
      )
      assert.equal(results.filter((result) => result.reserved).length, 10)
      const refused = results.filter((result) => !result.reserved)
      assert.equal(refused.length, 40)
      for (const result of refused) {
        assert.equal(result.count, 10, 'a refused reservation counts nothing')
        assert.equal(result.windowEndsAt.getTime(), START.getTime() + WINDOW_MS)
      }
      // Refused reservations did not count: after one release, exactly one more gets through.
      await a.release(key, new Date(START.getTime() + WINDOW_MS))
      assert.equal((await b.reserve(key, 10, WINDOW_MS, START)).reserved, true)
      assert.equal((await a.reserve(key, 10, WINDOW_MS, START)).reserved, false)
    })

    it('opens a new window once the last one closed, and never releases into it', async (t) => {
      const [a, b] = await openNodes(t)
      const key = `window-${randomBytes(4).toString('hex')}`
      const first = await a.reserve(key, 1, WINDOW_MS, START)
      assert.deepEqual(first, {
        reserved: true,
        count: 1,
        windowEndsAt: new Date(START.getTime() + WINDOW_MS),
      })
      const later = new Date(START.getTime() + WINDOW_MS)
      const second = await b.reserve(key, 1, WINDOW_MS, later)
      assert.deepEqual(second, {
        reserved: true,
        count: 1,
        windowEndsAt: new Date(later.getTime() + WINDOW_MS),
      })
      // A release meant for the closed window leaves the new one alone.
      await a.release(key, first.windowEndsAt)
      assert.equal((await b.reserve(key, 1, WINDOW_MS, later)).reserved, false)
      // Increments count on past the maximum (rate limits count refused requests too).
      assert.equal((await a.increment(key, WINDOW_MS, later)).count, 2)
      await b.reset(key)
      assert.equal((await a.reserve(key, 1, WINDOW_MS, later)).count, 1)
    })
  })
}
