import assert from 'node:assert/strict'
import { renameSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'

import type { FastifyInstance } from 'fastify'

import { buildApp } from '../../src/app.js'
import { systemClock } from '../../src/clock.js'
import { loadConfig } from '../../src/config.js'
import { CryptoError } from '../../src/crypto/envelope.js'
import { KEY_FILE } from '../../src/crypto/keys.js'
import { openStore } from '../../src/db/connect.js'
import { prepareStore } from '../../src/db/prepare.js'
import { KEYRING_REFRESH_MS } from '../../src/domain/keys/keyring.js'
import { openStoreKeyring } from '../../src/domain/keys/open.js'
import {
  activateVersion,
  keyStatus,
  reseal,
  retireUnused,
  rewrap,
  stageVersion,
  STAGE_WAIT_MS,
} from '../../src/domain/keys/rotation.js'
import type { RotationDeps } from '../../src/domain/keys/rotation.js'
import { secretAad } from '../../src/domain/vault/secret-sealing.js'
import { createServices } from '../../src/services.js'
import { createTestEnvironment, TEST_APP_SECRET } from '../helpers/app.js'
import type { TestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { signUpV1, v1 } from '../helpers/v1.js'

const configWith = (environment: TestEnvironment, env: Record<string, string>) =>
  loadConfig({ ...environment.env, ...env }).config

/** What `strongroom keys …` works with: a second process's services on the same store. */
async function operator(environment: TestEnvironment, env: Record<string, string> = {}) {
  const config = configWith(environment, env)
  const store = openStore(config.database)
  await prepareStore(store)
  const keyring = await openStoreKeyring(config, store, systemClock)
  const services = createServices(config, store, systemClock, { keyring })
  environment.defer(async () => {
    await services.close()
    await store.close()
  })
  const deps: RotationDeps = {
    store,
    transact: services.transact,
    keyring,
    clock: systemClock,
    audit: services.audit,
  }
  return deps
}

/**
 * How often the serving node of the write-load test re-reads its keyring. A node does it every
 * KEYRING_REFRESH_MS (1 s) and `keys rotate` waits STAGE_WAIT_MS, three of those, between its
 * steps; the test keeps that ratio on a tenth of the time.
 */
const FAST_REFRESH_MS = 100
const FAST_STAGE_WAIT_MS = (STAGE_WAIT_MS / KEYRING_REFRESH_MS) * FAST_REFRESH_MS

async function serve(
  environment: TestEnvironment,
  env: Record<string, string> = {},
  options: { keyringRefreshMs?: number } = {},
) {
  const config = configWith(environment, env)
  const refreshMs = options.keyringRefreshMs
  const keyring =
    refreshMs === undefined
      ? undefined
      : await (async () => {
          const store = openStore(config.database)
          environment.defer(() => store.close())
          await prepareStore(store)
          const opened = await openStoreKeyring(config, store, systemClock)
          return {
            ...opened,
            start: () => {
              opened.start(refreshMs)
            },
          }
        })()
  const app = await buildApp(config, keyring === undefined ? {} : { keyring })
  environment.defer(() => app.close())
  await app.ready()
  return app
}

async function createSecret(app: FastifyInstance, token: string, value: string): Promise<number> {
  const created = await v1(app, 'POST', '/secrets', {
    token,
    body: { name: `name of ${value}`, encrypted_data: value },
  })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  return (created.body as { secret_id: number }).secret_id
}

async function readSecret(app: FastifyInstance, token: string, id: number) {
  const read = await v1(app, 'GET', '/secrets', { token, body: { secret_id: id } })
  return {
    status: read.status,
    data: (read.body as { data?: { encrypted_data: string } }).data?.encrypted_data,
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function sealedData(deps: RotationDeps, id: number): Promise<Buffer> {
  const row = await deps.store.db
    .selectFrom('vault_secrets')
    .select('data_sealed')
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  return row.data_sealed
}

const keyIdOf = (deps: RotationDeps, version: number): Buffer | undefined =>
  deps.keyring.versions().find((entry) => entry.version === version)?.keyId

for (const dialect of DIALECTS) {
  describe(`key rotation (${dialect})`, () => {
    it('rotates under write load: every acknowledged value reads back, and v1 retires', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const app = await serve(environment, {}, { keyringRefreshMs: FAST_REFRESH_MS })
      const owner = await signUpV1(app)
      const acknowledged = new Map<number, string>()
      for (let i = 0; i < 40; i += 1) {
        acknowledged.set(await createSecret(app, owner.token, `before-${i}`), `before-${i}`)
      }

      const load = { running: true }
      const problems: string[] = []
      // A user owns at most 1000 secrets: the writer moves to a new owner every 500.
      const tokens = new Map<number, string>()
      const tokenOf = (id: number): string => tokens.get(id) ?? owner.token
      const writer = (async () => {
        let writing = owner
        for (let i = 0; load.running; i += 1) {
          if (i > 0 && i % 500 === 0) writing = await signUpV1(app)
          const id = await createSecret(app, writing.token, `during-${i}`)
          tokens.set(id, writing.token)
          acknowledged.set(id, `during-${i}`)
        }
      })()
      const reader = (async () => {
        while (load.running) {
          for (const [id, value] of [...acknowledged]) {
            const read = await readSecret(app, tokenOf(id), id)
            if (read.status !== 200 || read.data !== value) {
              problems.push(`${id}: ${read.status} ${String(read.data)} instead of ${value}`)
            }
          }
        }
      })()

      const deps = await operator(environment)
      const version = await stageVersion(deps)
      assert.equal(version, 2)
      await sleep(FAST_STAGE_WAIT_MS)
      await activateVersion(deps, version)
      await sleep(FAST_STAGE_WAIT_MS)
      // The serving node seals new values under version 2 without a restart.
      const fresh = await createSecret(app, owner.token, 'after activation')
      acknowledged.set(fresh, 'after activation')
      assert.deepEqual((await sealedData(deps, fresh)).subarray(1, 5), keyIdOf(deps, 2))

      const result = await reseal(deps, { batchSize: 7 })
      assert.equal(result.failed, 0)
      assert.equal(result.interrupted, false)
      assert.deepEqual(await retireUnused(deps), [1])
      load.running = false
      await Promise.all([writer, reader])

      assert.deepEqual(problems, [])
      for (const [id, value] of acknowledged) {
        assert.deepEqual(await readSecret(app, tokenOf(id), id), { status: 200, data: value })
      }
      const status = await keyStatus(deps)
      assert.deepEqual(
        status.versions.map((entry) => [entry.version, entry.state, entry.current]),
        [
          [1, 'retired', false],
          [2, 'active', true],
        ],
      )
      // Each secret has a sealed name and value; the owner's account has no phone or address.
      assert.equal(status.versions[1]?.ciphertexts, acknowledged.size * 2)
      assert.equal(status.unknown, 0)
      const events = await deps.store.db
        .selectFrom('audit_events')
        .select(['type', 'details'])
        .where('type', 'like', 'keys.%')
        .orderBy('id')
        .execute()
      assert.deepEqual(
        events.map((event) => [event.type, JSON.parse(event.details) as unknown]),
        [
          ['keys.rotate', { version: 2 }],
          ['keys.retire', { version: 1 }],
        ],
      )
    })

    it('an interrupted re-seal keeps what it did and the next run finishes it', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const app = await serve(environment)
      const owner = await signUpV1(app)
      const ids: number[] = []
      for (let i = 0; i < 30; i += 1) ids.push(await createSecret(app, owner.token, `value-${i}`))

      const deps = await operator(environment)
      await activateVersion(deps, await stageVersion(deps))
      const stop = new AbortController()
      const first = await reseal(deps, {
        batchSize: 4,
        signal: stop.signal,
        onProgress: (progress) => {
          if (progress.done >= 12) stop.abort()
        },
      })
      assert.equal(first.interrupted, true)
      assert.equal(first.total, 60)
      assert.ok(first.done >= 12 && first.done < 60, `re-sealed ${first.done}`)
      // Nothing retires while version 1 still seals something.
      assert.deepEqual(await retireUnused(deps), [])
      const midway = await keyStatus(deps)
      assert.equal(midway.versions[0]?.ciphertexts, 60 - first.done)

      // A new process (after a crash or SIGTERM) picks up what is left.
      const resumed = await reseal(await operator(environment), { batchSize: 4 })
      assert.equal(resumed.done, 60 - first.done)
      assert.equal(resumed.interrupted, false)
      assert.deepEqual(await retireUnused(deps), [1])
      for (const [i, id] of ids.entries()) {
        const plaintext = deps.keyring.envelope.open(
          await sealedData(deps, id),
          secretAad(id, 'data'),
        )
        assert.equal(plaintext.toString('utf8'), `value-${i}`)
      }
    })

    it('a ciphertext sealed under a retired version is refused loudly, never opened', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const logged: string[] = []
      const app = await buildApp(configWith(environment, { LOG_LEVEL: 'error' }), {
        logStream: { write: (line: string) => void logged.push(line) },
      })
      environment.defer(() => app.close())
      await app.ready()
      const owner = await signUpV1(app)
      const id = await createSecret(app, owner.token, 'old value')
      const deps = await operator(environment)
      const underV1 = await sealedData(deps, id)

      await activateVersion(deps, await stageVersion(deps))
      await reseal(deps)
      assert.deepEqual(await retireUnused(deps), [1])
      // Someone puts the old ciphertext back (a stale replica, an old backup row).
      await deps.store.db
        .updateTable('vault_secrets')
        .set({ data_sealed: underV1 })
        .where('id', '=', id)
        .execute()

      assert.throws(
        () => deps.keyring.envelope.open(underV1, secretAad(id, 'data')),
        (error: unknown) =>
          error instanceof CryptoError &&
          error.code === 'UNKNOWN_KEY' &&
          error.message.includes('version 1, which is retired'),
      )
      // The serving node learns of the retirement at its next keyring refresh; every read until
      // then and after is refused too, and then the operator's log names the retired version.
      const retiredLogged = () =>
        logged.some((line) => line.includes('data-key version 1, which is retired'))
      do {
        const read = await readSecret(app, owner.token, id)
        assert.equal(read.status, 500)
        assert.equal(read.data, undefined)
        if (!retiredLogged()) await sleep(100)
      } while (!retiredLogged())
    })

    it('root rotation: rewrap under a new APP_SECRET, after which the old one is refused', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const first = await serve(environment)
      const owner = await signUpV1(first)
      const id = await createSecret(first, owner.token, 'survives the new root')
      await first.close()

      const rotating = { APP_SECRET: 'the new root secret', APP_SECRET_PREVIOUS: TEST_APP_SECRET }
      const deps = await operator(environment, rotating)
      assert.equal(deps.keyring.openedWith(), 'previous')
      await assert.rejects(stageVersion(deps), /keys rewrap/)
      assert.equal(await rewrap(deps), 'rewrapped')
      assert.equal(await rewrap(await operator(environment, rotating)), 'already-current')

      const after = await serve(environment, { APP_SECRET: 'the new root secret' })
      // Tokens stay valid: only the wrapping changed, never the keys it wraps.
      assert.deepEqual(await readSecret(after, owner.token, id), {
        status: 200,
        data: 'survives the new root',
      })
      await assert.rejects(buildApp(environment.config), { name: 'KeyMismatchError' })
      await assert.rejects(
        buildApp(configWith(environment, { APP_SECRET: 'neither', APP_SECRET_PREVIOUS: 'nor' })),
        { name: 'KeyMismatchError' },
      )
    })

    it('root rotation from a key file to APP_SECRET with KEY_FILE_PREVIOUS', async (t) => {
      const environment = await createTestEnvironment(t, { dialect, env: { APP_SECRET: '' } })
      const first = await serve(environment)
      const owner = await signUpV1(first)
      const id = await createSecret(first, owner.token, 'from the key file')
      await first.close()
      const old = path.join(environment.dataDir, 'old.key')
      renameSync(path.join(environment.dataDir, KEY_FILE), old)

      const deps = await operator(environment, {
        APP_SECRET: 'now an app secret',
        KEY_FILE_PREVIOUS: old,
      })
      assert.equal(await rewrap(deps), 'rewrapped')
      const after = await serve(environment, { APP_SECRET: 'now an app secret' })
      assert.deepEqual(await readSecret(after, owner.token, id), {
        status: 200,
        data: 'from the key file',
      })
    })
  })
}
