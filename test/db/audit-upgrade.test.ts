import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { sql } from 'kysely'

import { openStore } from '../../src/db/connect.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { MIGRATIONS } from '../../src/db/migrations/index.js'

import { createTestEnvironment, openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'

const BEFORE_SEQUENCER = MIGRATIONS.findIndex(
  ([name]) => name === '2026-12-03T1000-audit-sequencer',
)

for (const dialect of DIALECTS) {
  describe(`upgrading the audit log from the hash chain (${dialect})`, () => {
    it('carries every old event over, in order, and seals them into the tree on first start', async (t) => {
      const environment = await createTestEnvironment(t, { dialect, migrate: false })
      const store = openStore(environment.config.database)
      try {
        await migrateToLatest(store, MIGRATIONS.slice(0, BEFORE_SEQUENCER))
        for (const seq of [1, 2, 3]) {
          await sql`insert into audit_events (seq, event_id, occurred_at, type, actor_id, target_type, target_id, outcome, client_ip, user_agent, details, prev_hash, hash)
            values (${seq}, ${`00000000-0000-4000-8000-00000000000${seq}`}, ${`2026-11-2${seq}T00:00:00.000Z`}, 'auth.login', null, null, null, 'success', '', 'old', '{}', ${'0'.repeat(64)}, ${'0'.repeat(64)})`.execute(
            store.db,
          )
        }
        assert.equal((await migrateToLatest(store))[0], '2026-12-03T1000-audit-sequencer')
      } finally {
        await store.close()
      }
      const { services } = openServices(environment)
      await services.audit.record({
        type: 'auth.logout',
        outcome: 'success',
        actorId: null,
        context: { clientIp: '', userAgent: 'new' },
      })
      await services.audit.sequencer.flush()
      const verified = await services.audit.verify()
      assert.equal(verified.ok, true, JSON.stringify(verified.firstBreak))
      assert.equal(verified.checked, 4)
      const { store: reopened } = openServices(environment)
      const rows = await reopened.db
        .selectFrom('audit_events')
        .select(['seq', 'user_agent'])
        .orderBy('seq')
        .execute()
      assert.deepEqual(
        rows.map((row) => [row.seq, row.user_agent]),
        [
          [1, 'old'],
          [2, 'old'],
          [3, 'old'],
          [4, 'new'],
        ],
      )
    })
  })
}
