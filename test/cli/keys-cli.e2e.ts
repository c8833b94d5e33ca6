import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { buildApp } from '../../src/app.js'
import { systemClock } from '../../src/clock.js'
import { openStore } from '../../src/db/connect.js'
import { openStoreKeyring } from '../../src/domain/keys/open.js'
import { secretAad } from '../../src/domain/vault/secret-sealing.js'
import { createTestEnvironment } from '../helpers/app.js'
import type { TestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { runCli } from '../helpers/process.js'
import { signUpV1 } from '../helpers/v1.js'

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js')
const SECRETS = 1500

/** Many vault secrets, sealed as the service seals them, written in a few statements. */
async function seedSecrets(environment: TestEnvironment): Promise<void> {
  const app = await buildApp(environment.config)
  const owner = await signUpV1(app).finally(() => app.close())
  const store = openStore(environment.config.database)
  try {
    const keyring = await openStoreKeyring(environment.config, store, systemClock)
    const at = new Date().toISOString()
    for (let start = 1; start <= SECRETS; start += 250) {
      const rows = []
      for (let id = start; id < Math.min(start + 250, SECRETS + 1); id += 1) {
        rows.push({
          id,
          owner_id: owner.id,
          name_sealed: keyring.envelope.seal(Buffer.from(`n${id}`), secretAad(id, 'name')),
          data_sealed: keyring.envelope.seal(Buffer.from(`d${id}`), secretAad(id, 'data')),
          created_at: at,
          updated_at: at,
        })
      }
      await store.db.insertInto('vault_secrets').values(rows).execute()
    }
  } finally {
    await store.close()
  }
}

for (const dialect of DIALECTS) {
  describe(`strongroom keys (${dialect})`, () => {
    it('status, a rotate stopped by SIGTERM half-way, and reseal finishing it', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      await seedSecrets(environment)
      const total = SECRETS * 2

      const before = runCli(['keys', 'status'], environment.env)
      assert.equal(before.code, 0, before.stderr)
      assert.match(before.stdout, new RegExp(`1\\s+active\\s+${total}\\s+\\(seals new values\\)`))

      const child = spawn(process.execPath, [CLI, 'keys', 'rotate', '--batch-size', '1'], {
        env: { PATH: process.env.PATH ?? '', ...environment.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      let signalled = false
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8')
        // Plain progress lines when standard error is not a terminal; stop once some are done.
        if (!signalled && /re-sealed [1-9]\d*\//.test(stderr)) {
          signalled = true
          child.kill('SIGTERM')
        }
      })
      const code = await exited
      assert.equal(code, 1, stderr)
      const done = Number(/Interrupted after re-sealing (\d+) of (\d+)/.exec(stderr)?.[1])
      assert.ok(done > 0 && done < total, stderr)
      assert.match(stderr, /strongroom keys reseal/)

      const midway = runCli(['keys', 'status'], environment.env)
      assert.match(midway.stdout, new RegExp(`1\\s+active\\s+${total - done}\\n`))
      assert.match(midway.stdout, new RegExp(`2\\s+active\\s+${done}\\s+\\(seals new values\\)`))

      const resumed = runCli(['keys', 'reseal'], environment.env)
      assert.equal(resumed.code, 0, resumed.stderr)
      assert.match(resumed.stdout, new RegExp(`Re-sealed ${total - done} ciphertext`))
      assert.match(resumed.stdout, /Retired version\(s\) 1/)
      assert.match(resumed.stdout, new RegExp(`1\\s+retired\\s+0\\n`))
      assert.match(resumed.stdout, new RegExp(`2\\s+active\\s+${total}\\s+\\(seals new values\\)`))
    })

    it('rewrap says what it did, and is refused without a previous root that opens the keyring', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      await seedSecrets(environment)
      const nothing = runCli(['keys', 'rewrap'], environment.env)
      assert.equal(nothing.code, 0, nothing.stderr)
      assert.match(nothing.stdout, /already wrapped under the current root/)

      const rotated = { ...environment.env, APP_SECRET: 'the next root' }
      const refused = runCli(['keys', 'rewrap'], rotated)
      assert.equal(refused.code, 3)
      const rewrapped = runCli(['keys', 'rewrap'], {
        ...rotated,
        APP_SECRET_PREVIOUS: environment.env.APP_SECRET ?? '',
      })
      assert.equal(rewrapped.code, 0, rewrapped.stderr)
      assert.match(rewrapped.stdout, /previous root is no longer needed/)
      assert.equal(runCli(['keys', 'status'], rotated).code, 0)
    })
  })
}
