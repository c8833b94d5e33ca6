import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { sql } from 'kysely'

import { openStore } from '../../src/db/connect.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { MIGRATIONS } from '../../src/db/migrations/index.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'

import { loadConfig } from '../../src/config.js'
import { openServices, TEST_APP_SECRET } from '../helpers/app.js'
import type { TestEnvironment } from '../helpers/app.js'
import { createPostgresSchema, DIALECTS } from '../helpers/dialects.js'
import type { TestDialect } from '../helpers/dialects.js'

/** A private store that no migration has touched yet, as an installation of an older release. */
async function unmigratedEnvironment(
  t: TestContext,
  dialect: TestDialect,
): Promise<TestEnvironment> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'strongroom-upgrade-'))
  t.after(() => {
    rmSync(dataDir, { recursive: true, force: true })
  })
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    APP_SECRET: TEST_APP_SECRET,
    LOG_LEVEL: 'silent',
  }
  if (dialect === 'postgres') {
    const schema = await createPostgresSchema()
    t.after(() => schema.drop())
    env.DATABASE_URL = schema.url
  }
  return { config: loadConfig(env).config, dataDir, dialect, env }
}

const BEFORE_SEQUENCER = MIGRATIONS.findIndex(
  ([name]) => name === '2026-12-03T1000-audit-sequencer',
)

for (const dialect of DIALECTS) {
  describe(`upgrading the audit log from the hash chain (${dialect})`, () => {
    it('carries every old event over, in order, and seals them into the tree on first start', async (t) => {
      const environment = await unmigratedEnvironment(t, dialect)
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
      const { services } = openServices(t, environment)
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
      const { store: reopened } = openServices(t, environment)
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
