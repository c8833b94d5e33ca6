import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'

import { openStore } from '../../src/db/connect.js'
import { prepareStore } from '../../src/db/prepare.js'
import { isAppError } from '../../src/errors.js'
import { createServices } from '../../src/services.js'
import { createTestEnvironment } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import type { TestDialect } from '../helpers/dialects.js'

const context = { clientIp: '192.0.2.50', userAgent: 'quota-test/1.0' }
/** Every secret here is this long, so every one takes the same bytes when sealed. */
const SECRET = 'x'.repeat(100)
const TTL_SECONDS = 600

async function setUp(t: TestContext, dialect: TestDialect, env: Record<string, string> = {}) {
  const environment = await createTestEnvironment(t, { dialect, env })
  const store = openStore(environment.config.database)
  t.after(() => store.close())
  await prepareStore(store)
  const clock = manualClock()
  const services = createServices(environment.config, store, clock)
  environment.defer(() => services.close())
  const { oneTime } = services
  const create = (client: string, extra: { passphrase?: string } = {}) =>
    oneTime.create(
      { kind: 'api', secret: SECRET, ttlSeconds: TTL_SECONDS, ...extra },
      context,
      client,
    )
  /** The counters, and the bytes the live rows really hold, per scope. */
  const usage = async () => {
    const counters = await store.db.selectFrom('one_time_usage').selectAll().execute()
    const rows = await store.db
      .selectFrom('one_time_secrets')
      .select(['size_bytes', 'client_hash', 'quota_share'])
      .execute()
    const counted = new Map(counters.map((row) => [row.scope, row.live_bytes]))
    const held = new Map<string, number>()
    for (const row of rows) {
      for (const scope of [
        `client:${String(row.client_hash)}`,
        `store:${String(row.quota_share)}`,
      ]) {
        held.set(scope, (held.get(scope) ?? 0) + row.size_bytes)
      }
    }
    const total = [...counted].filter(([scope]) => scope.startsWith('store:'))
    return {
      counted,
      held,
      storeTotal: total.reduce((sum, [, bytes]) => sum + bytes, 0),
      rows: rows.length,
    }
  }
  /** Every counter equals what its live rows hold; counters of nothing are zero. */
  const assertExact = async () => {
    const { counted, held } = await usage()
    for (const [scope, bytes] of counted) assert.equal(bytes, held.get(scope) ?? 0, scope)
    for (const [scope, bytes] of held) assert.equal(counted.get(scope), bytes, scope)
  }
  return { oneTime, clock, create, usage, assertExact }
}

/** The bytes one SECRET takes when stored (the sealed form, header and tag included). */
async function sealedSize(t: TestContext, dialect: TestDialect): Promise<number> {
  const { create, usage } = await setUp(t, dialect)
  await create('measure')
  const { storeTotal } = await usage()
  return storeTotal
}

const refusedAfter = (seconds: number) => (error: unknown) => {
  assert.ok(isAppError(error) && error.code === 'RATE_LIMITED', String(error))
  assert.equal(error.details.retryAfterSeconds, seconds)
  return true
}

for (const dialect of DIALECTS) {
  describe(`One-time live-byte quotas (${dialect})`, () => {
    it('hold a client to its bytes until its secrets are read, deleted, burnt or expire', async (t) => {
      const size = await sealedSize(t, dialect)
      const { oneTime, clock, create, assertExact } = await setUp(t, dialect, {
        ONE_TIME_MAX_LIVE_BYTES_PER_CLIENT: String(3 * size),
        ONE_TIME_MAX_ATTEMPTS: '1',
      })
      const first = await create('a')
      clock.advance(100_000)
      const second = await create('a')
      const third = await create('a', { passphrase: 'p' })
      // Full: told to come back when the oldest of its secrets expires.
      await assert.rejects(create('a'), refusedAfter(TTL_SECONDS - 100))
      await assertExact()
      // Another client is not affected.
      await create('b')

      // Read: room for one more.
      assert.equal(await oneTime.read(first.secretKey, context), SECRET)
      await assertExact()
      const fourth = await create('a')
      await assert.rejects(create('a'), { code: 'RATE_LIMITED' })
      // Deleted unread: room again.
      await oneTime.remove(fourth.secretKey, undefined, context)
      await assertExact()
      await create('a')
      // Burnt by its last wrong passphrase: room again.
      await assert.rejects(oneTime.remove(third.secretKey, 'wrong', context), {
        code: 'UNAUTHORIZED',
      })
      await assertExact()
      await create('a')
      await assert.rejects(create('a'), { code: 'RATE_LIMITED' })

      // Expired and swept: everything is released, and idle clients are forgotten.
      clock.advance(TTL_SECONDS * 1000)
      assert.ok((await oneTime.sweep()).expired >= 3)
      await assertExact()
      await assert.rejects(oneTime.read(second.secretKey, context), { code: 'NOT_FOUND' })
      await create('a')
      await create('a')
      await create('a')
      await assertExact()
    })

    it('cap the whole store, whoever creates', async (t) => {
      const size = await sealedSize(t, dialect)
      // Two secrets in each of the eight shares.
      const { oneTime, create, usage, assertExact } = await setUp(t, dialect, {
        ONE_TIME_MAX_LIVE_BYTES: String(16 * size),
      })
      const created = []
      for (let i = 0; i < 16; i++) created.push(await create(`client-${i}`))
      await assert.rejects(create('someone-else'), refusedAfter(TTL_SECONDS))
      assert.equal((await usage()).storeTotal, 16 * size)
      await assertExact()
      const read = created[5]
      assert.ok(read !== undefined)
      await oneTime.read(read.secretKey, context)
      await create('someone-else')
      await assert.rejects(create('yet-another'), { code: 'RATE_LIMITED' })
      await assertExact()
    })

    it('count concurrent creations exactly: no race lets a client past its cap', async (t) => {
      const size = await sealedSize(t, dialect)
      const { create, usage, assertExact } = await setUp(t, dialect, {
        ONE_TIME_MAX_LIVE_BYTES_PER_CLIENT: String(5 * size),
      })
      const results = await Promise.allSettled(Array.from({ length: 24 }, () => create('racer')))
      const created = results.filter((result) => result.status === 'fulfilled').length
      assert.equal(created, 5)
      for (const result of results) {
        if (result.status === 'rejected') {
          const error: unknown = result.reason
          assert.ok(isAppError(error) && error.code === 'RATE_LIMITED', String(error))
        }
      }
      assert.equal((await usage()).rows, 5)
      await assertExact()
    })
  })
}
