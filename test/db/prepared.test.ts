import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { sql } from 'kysely'
import type { CompiledQuery } from 'kysely'

import { openStore } from '../../src/db/connect.js'
import { prepared, PREPARED_MARK } from '../../src/db/prepared.js'
import { prepareStore } from '../../src/db/prepare.js'
import { createTransactor } from '../../src/db/transaction.js'
import { createTestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'

const insertCounter = prepared((db, p: { key: string; count: number }) =>
  db.insertInto('throttle_counters').values({ key: p.key, count: p.count, window_ends_at: 'x' }),
)
const counterByKey = prepared((db, p: { key: string }) =>
  db.selectFrom('throttle_counters').select(['key', 'count']).where('key', '=', p.key),
)
const countersFrom = prepared((db, p: { min: number }) =>
  db
    .selectFrom('throttle_counters')
    .select('key')
    .where('count', '>=', p.min)
    .where('window_ends_at', '=', 'x') // a value fixed when the query was built
    .orderBy('key'),
)

for (const dialect of DIALECTS) {
  describe(`prepared queries (${dialect})`, () => {
    it('run with each call’s values, inside a transaction and outside one', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const store = openStore(environment.config.database)
      environment.defer(() => store.close())
      await prepareStore(store)
      const transact = createTransactor(store)

      await transact(async (trx) => {
        await insertCounter.execute(trx, { key: 'a', count: 1 })
        await insertCounter.execute(trx, { key: 'b', count: 5 })
        assert.deepEqual(await counterByKey.first(trx, { key: 'b' }), { key: 'b', count: 5 })
      })
      await insertCounter.execute(store.db, { key: 'c', count: 9 })
      assert.deepEqual(await counterByKey.first(store.db, { key: 'a' }), { key: 'a', count: 1 })
      assert.equal(await counterByKey.first(store.db, { key: 'nobody' }), undefined)
      const { rows } = await countersFrom.execute(store.db, { min: 5 })
      assert.deepEqual(
        rows.map((row) => row.key),
        ['b', 'c'],
      )
    })

    it('is compiled once: later calls run the same statement text, marked as prepared', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const store = openStore(environment.config.database)
      environment.defer(() => store.close())
      await prepareStore(store)
      const seen: string[] = []
      const execute = store.db.executeQuery.bind(store.db)
      store.db.executeQuery = ((query: CompiledQuery) => {
        seen.push(query.sql)
        return execute(query)
      }) as typeof store.db.executeQuery
      await counterByKey.first(store.db, { key: 'x' })
      await counterByKey.first(store.db, { key: 'y' })
      assert.equal(seen.length, 2)
      assert.equal(seen[0], seen[1])
      assert.ok(seen[0]?.startsWith(PREPARED_MARK))
    })

    if (dialect === 'postgres') {
      it('runs as a server-side prepared statement on PostgreSQL', async (t) => {
        const environment = await createTestEnvironment(t, { dialect })
        const store = openStore(environment.config.database)
        environment.defer(() => store.close())
        const names = await store.db.transaction().execute(async (trx) => {
          await counterByKey.first(trx, { key: 'x' })
          await sql`select 1`.execute(trx)
          const { rows } = await sql<{
            name: string
          }>`select name from pg_prepared_statements`.execute(trx)
          return rows.map((row) => row.name)
        })
        assert.equal(names.length, 1, 'only the prepared query, not the plain one')
        assert.match(names[0] ?? '', /^sr_[0-9a-f]{32}$/)
      })
    }
  })
}
