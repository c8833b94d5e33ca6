import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildApp } from '../../src/app.js'
import { openStore } from '../../src/db/connect.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { identifierClaimsMigration } from '../../src/db/migrations/2026-12-03T1100-identifier-claims.js'
import { createTestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'

/** Accounts as the store held them before identifier claims: keys folded with NFC + lower case. */
const BEFORE = [
  { username: 'ｂob', email: 'wide@example.com' },
  { username: 'Bob', email: 'plain@example.com' },
  { username: 'paypal', email: null },
  { username: 'раypal', email: null },
  { username: 'x@example.com', email: 'first@example.com' },
  { username: 'second', email: 'X@example.com' },
  { username: 'zero\u200bwidth', email: null },
]

for (const dialect of DIALECTS) {
  describe(`identifier claims migration (${dialect})`, () => {
    it('backfills claims oldest first and keeps colliding accounts', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const store = openStore(environment.config.database)
      environment.defer(() => store.close())
      await migrateToLatest(store)
      // Back to the schema before this migration, then the old accounts.
      await store.db.schema.dropTable('identifier_claims').execute()
      const now = new Date().toISOString()
      const ids: number[] = []
      for (const account of BEFORE) {
        const row = await store.db
          .insertInto('users')
          .values({
            username: account.username,
            username_key: account.username.normalize('NFC').toLowerCase(),
            email: account.email,
            email_key: account.email?.toLowerCase() ?? null,
            role: 'user',
            password_hash: 'x',
            token_version: 0,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        ids.push(row.id)
      }

      await store.db
        .transaction()
        .execute((trx) => identifierClaimsMigration.up(trx, store.dialect))

      const users = await store.db
        .selectFrom('users')
        .select(['id', 'username_key', 'email_key'])
        .orderBy('id')
        .execute()
      assert.deepEqual(
        users.map((user) => user.username_key),
        ['bob', null, 'paypal', null, 'x@example.com', 'second', 'zero\u200bwidth'],
      )
      // Every account survives, with its e-mail login.
      assert.equal(users.length, BEFORE.length)
      assert.equal(users[5]?.email_key, 'x@example.com')
      const claims = await store.db
        .selectFrom('identifier_claims')
        .select(['key', 'user_id'])
        .execute()
      const holder = (key: string): number | undefined =>
        claims.find((claim) => claim.key === key)?.user_id
      assert.equal(holder('bob'), ids[0])
      assert.equal(holder('paypal'), ids[2])
      assert.equal(holder('x@example.com'), ids[4])
      assert.equal(holder('plain@example.com'), ids[1])

      // New registrations meet the backfilled claims.
      const app = await buildApp(environment.config, { store })
      environment.defer(() => app.close())
      const taken = await app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: { email: 'new@example.com', password: 'long enough', username: 'ΒOB' },
      })
      assert.equal(taken.statusCode, 409, taken.body)
    })
  })
}
