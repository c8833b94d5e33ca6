import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { openStore } from '../../src/db/connect.js'
import { prepareStore } from '../../src/db/prepare.js'
import { createTransactor } from '../../src/db/transaction.js'
import { createTestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'

for (const dialect of DIALECTS) {
  describe(`transactions (${dialect})`, () => {
    it('commit concurrent units independently: a failing unit rolls back alone', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const store = openStore(environment.config.database)
      t.after(() => store.close())
      await prepareStore(store)
      const transact = createTransactor(store)

      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) =>
          transact(async (trx) => {
            await trx
              .insertInto('throttle_counters')
              .values({ key: `unit-${i}`, count: i, window_ends_at: 'x' })
              .execute()
            if (i % 10 === 3) throw new Error(`unit ${i} fails`)
            // A second statement in the same unit: both or neither survive.
            await trx
              .insertInto('revoked_tokens')
              .values({ jti: `unit-${i}`, expires_at: 'x' })
              .execute()
            return i
          }),
        ),
      )
      const failed = results.flatMap((result, i) => (result.status === 'rejected' ? [i] : []))
      assert.deepEqual(failed, [3, 13, 23, 33, 43, 53, 63, 73, 83, 93])
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') assert.equal(result.value, i)
      })

      // Seen from a second connection: every acknowledged unit is committed, no failed one is.
      const other = openStore(environment.config.database)
      t.after(() => other.close())
      const counters = await other.db.selectFrom('throttle_counters').select('key').execute()
      const tokens = await other.db.selectFrom('revoked_tokens').select('jti').execute()
      assert.equal(counters.length, 90)
      assert.equal(tokens.length, 90)
      assert.ok(!counters.some((row) => row.key === 'unit-3'))
    })

    it('lets a unit call transact again without deadlocking', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const store = openStore(environment.config.database)
      t.after(() => store.close())
      await prepareStore(store)
      const transact = createTransactor(store)
      const value = await transact(async (trx) => {
        await trx.insertInto('revoked_tokens').values({ jti: 'outer', expires_at: 'x' }).execute()
        return transact(async (inner) => {
          const row = await inner
            .selectFrom('revoked_tokens')
            .select('jti')
            .where('jti', '=', 'outer')
            .executeTakeFirst()
          return row?.jti
        })
      })
      assert.equal(value, 'outer')
    })
  })
}
