import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { sql } from 'kysely'

import { buildApp } from '../../src/app.js'
import { openStore } from '../../src/db/connect.js'
import { buildTestApp, createTestEnvironment, openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { json } from '../helpers/http.js'

for (const dialect of DIALECTS) {
  describe(`health probes (${dialect})`, () => {
    it('report live and ready, and not ready when a migration is missing', async (t) => {
      const environment = await buildTestApp(t, { dialect })
      const { app } = environment
      const live = await app.inject({ method: 'GET', url: '/healthz' })
      assert.equal(live.statusCode, 200)
      assert.deepEqual(json(live), { status: 'ok' })
      const ready = await app.inject({ method: 'GET', url: '/readyz' })
      assert.equal(ready.statusCode, 200)
      assert.deepEqual(json(ready), { status: 'ready' })

      // Another node (or an operator) rolls the schema back: this node must leave rotation.
      const { store } = openServices(environment)
      await sql`delete from strongroom_migrations where name = (select max(name) from strongroom_migrations)`.execute(
        store.db,
      )
      const behind = await app.inject({ method: 'GET', url: '/readyz' })
      assert.equal(behind.statusCode, 503)
      assert.deepEqual(json(behind), { status: 'unavailable', reason: 'migrations-pending' })
    })
  })
}

describe('readiness without a store', () => {
  it('is 503 store-unreachable while liveness stays 200', async (t) => {
    const environment = await createTestEnvironment(t)
    const store = openStore(environment.config.database)
    const app = await buildApp(environment.config, { store })
    environment.defer(() => app.close())
    await store.close()
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
    const ready = await app.inject({ method: 'GET', url: '/readyz' })
    assert.equal(ready.statusCode, 503)
    assert.deepEqual(json(ready), { status: 'unavailable', reason: 'store-unreachable' })
  })
})
