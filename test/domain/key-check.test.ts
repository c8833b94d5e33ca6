import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'

import type { FastifyInstance } from 'fastify'

import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { keyCheckValue } from '../../src/crypto/key-check.js'
import { KEY_FILE, rootKeyFromSecret } from '../../src/crypto/keys.js'
import { openStore } from '../../src/db/connect.js'
import { readKeyCheck } from '../../src/domain/keys/key-check-repo.js'
import { createTestEnvironment, runBehindTheBack, TEST_APP_SECRET } from '../helpers/app.js'
import type { TestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, json, signUp } from '../helpers/http.js'

/** The environment's config with other variables, as a node started with them would have it. */
const configWith = (environment: TestEnvironment, env: Record<string, string>) =>
  loadConfig({ ...environment.env, ...env }).config

async function storeASecret(environment: TestEnvironment, env: Record<string, string> = {}) {
  const app = await buildApp(configWith(environment, env))
  try {
    const user = await signUp(app)
    const set = await app.inject({
      method: 'POST',
      url: '/set_secret',
      headers: bearer(user.token),
      payload: { username: user.username, secret: 'the launch code' },
    })
    assert.equal(set.statusCode, 200, set.body)
    return user
  } finally {
    await app.close()
  }
}

async function readSecret(app: FastifyInstance, user: { username: string; token: string }) {
  const read = await app.inject({
    method: 'GET',
    url: `/get_secret?username=${user.username}`,
    headers: bearer(user.token),
  })
  return { status: read.statusCode, body: json(read) }
}

const refused = { name: 'KeyMismatchError', message: /do not match the store/ }

for (const dialect of DIALECTS) {
  describe(`key check (${dialect})`, () => {
    it('the store keeps a key check value of its root, never the root or a key', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      await storeASecret(environment)
      const store = openStore(environment.config.database)
      environment.defer(() => store.close())
      const stored = await readKeyCheck(store.db)
      assert.equal(stored, keyCheckValue(rootKeyFromSecret(TEST_APP_SECRET)))
      assert.notEqual(stored, keyCheckValue(rootKeyFromSecret('another secret')))
    })

    it('a start with a changed APP_SECRET is refused and changes nothing', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const user = await storeASecret(environment)

      await assert.rejects(
        buildApp(configWith(environment, { APP_SECRET: 'a different secret entirely' })),
        refused,
      )

      const app = await buildApp(environment.config)
      environment.defer(() => app.close())
      assert.deepEqual(await readSecret(app, user), {
        status: 200,
        body: { secret: 'the launch code' },
      })
    })

    it('a start after the key file was lost is refused', async (t) => {
      const environment = await createTestEnvironment(t, { dialect, env: { APP_SECRET: '' } })
      await storeASecret(environment)
      rmSync(path.join(environment.dataDir, KEY_FILE))
      await assert.rejects(buildApp(environment.config), refused)
    })

    it('a store from before the keyring adopts only the root its secrets were sealed under', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const user = await storeASecret(environment)
      // What an older release left: sealed secrets and no keyring rows.
      await runBehindTheBack(environment, 'delete from data_keys', 'delete from keyring_root')

      await assert.rejects(
        buildApp(configWith(environment, { APP_SECRET: 'a different secret entirely' })),
        { name: 'KeyMismatchError', message: /sealed under another root/ },
      )
      const app = await buildApp(environment.config)
      environment.defer(() => app.close())
      assert.equal((await readSecret(app, user)).status, 200)
    })

    it('/readyz says keys-mismatch once the store is bound to a root this node lacks', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const app = await buildApp(environment.config)
      environment.defer(() => app.close())
      await app.ready()
      assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200)

      // As if another node had re-wrapped the keyring under a root this one was not given.
      await runBehindTheBack(
        environment,
        `update keyring_root set check_value = '${keyCheckValue(rootKeyFromSecret('elsewhere'))}'`,
      )
      let response = await app.inject({ url: '/readyz' })
      // The node re-reads its keyring every second; wait for it to notice.
      while (response.statusCode === 200) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        response = await app.inject({ url: '/readyz' })
      }
      assert.equal(response.statusCode, 503)
      assert.deepEqual(json(response), { status: 'unavailable', reason: 'keys-mismatch' })
    })
  })
}
