import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { openStore } from '../../src/db/connect.js'
import { migrateToLatest, pendingMigrations } from '../../src/db/migrate.js'
import { MIGRATIONS } from '../../src/db/migrations/index.js'
import { createTestEnvironment } from '../helpers/app.js'
import { createPostgresSchema, DIALECTS } from '../helpers/dialects.js'
import { runCliAsync } from '../helpers/process.js'

for (const dialect of DIALECTS) {
  describe(`migrations (${dialect})`, () => {
    it('apply each migration exactly once when several nodes migrate at the same moment', async (t) => {
      const environment = await createTestEnvironment(t)
      const env = { ...environment.env, DATABASE_URL: `${environment.dataDir}/fresh.db` }
      if (dialect === 'postgres') {
        // A schema nobody has migrated yet (createTestEnvironment migrates its own).
        const schema = await createPostgresSchema()
        t.after(() => schema.drop())
        env.DATABASE_URL = schema.url
      }

      const runs = await Promise.all([1, 2, 3].map(() => runCliAsync(['migrate'], env)))
      for (const run of runs) assert.equal(run.code, 0, run.stderr)
      const applied = runs.map((run) => Number(/Applied (\d+)/.exec(run.stdout)?.[1] ?? 0))
      assert.equal(
        applied.reduce((sum, count) => sum + count, 0),
        MIGRATIONS.length,
        'every migration applied by exactly one node',
      )

      const store = openStore(
        dialect === 'postgres'
          ? { kind: 'postgres', url: env.DATABASE_URL }
          : { kind: 'sqlite', file: env.DATABASE_URL },
      )
      t.after(() => store.close())
      assert.deepEqual(await pendingMigrations(store), [])
      assert.deepEqual(await migrateToLatest(store), [])
    })
  })
}
