import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'

import { buildApp } from '../../src/app.js'
import { deriveKeys, rootKeyFromSecret } from '../../src/crypto/keys.js'
import { createTestEnvironment, TEST_APP_SECRET } from '../helpers/app.js'
import type { TestEnvironment } from '../helpers/app.js'
import { call, runCli, runCliAsync, startServer } from '../helpers/process.js'
import type { RunningServer } from '../helpers/process.js'
import { expectStatus, signUpV1, v1 } from '../helpers/v1.js'

interface Manifest {
  counts: Record<string, number>
  audit: { treeSize: number; checkpoint: { tree_size: number } | null }
  keyCheck: string
}

const manifestOf = (file: string): Manifest =>
  JSON.parse(readFileSync(file, 'utf8').split('\n')[1] ?? '') as Manifest

async function signUp(server: RunningServer, email: string) {
  const password = 'backup test password'
  const registered = await call(server, 'POST', '/v1/auth/register', { body: { email, password } })
  assert.equal(registered.status, 201, JSON.stringify(registered.body))
  return login(server, email, password)
}

async function login(server: RunningServer, email: string, password = 'backup test password') {
  const response = await call(server, 'POST', '/v1/auth/login', { body: { email, password } })
  assert.equal(response.status, 200, JSON.stringify(response.body))
  return (response.body as { token: string }).token
}

/** An empty data directory with the same APP_SECRET: where a restore goes. */
const freshEnvironment = (t: TestContext, env: Record<string, string> = {}) =>
  createTestEnvironment(t, { env })

/** A small store with a secret, a kept version and a sealed audit log, and a backup of it. */
async function backedUp(t: TestContext): Promise<{ environment: TestEnvironment; file: string }> {
  const environment = await createTestEnvironment(t)
  const app = await buildApp(environment.config)
  try {
    const user = await signUpV1(app)
    const created = await expectStatus(
      v1(app, 'POST', '/secrets', { token: user.token, body: { name: 'n', encrypted_data: 'd' } }),
      201,
    )
    const secret_id = (created.body as { secret_id: number }).secret_id
    await expectStatus(
      v1(app, 'PATCH', '/secrets', {
        token: user.token,
        body: { secret_id, name: 'n', encrypted_data: 'd2' },
      }),
      200,
    )
  } finally {
    await app.close()
  }
  const file = path.join(environment.dataDir, 'store.backup')
  const result = runCli(['backup', file], environment.env)
  assert.equal(result.code, 0, result.stderr)
  return { environment, file }
}

/** Restores `file` into a fresh environment and expects a refusal that leaves it empty. */
async function expectRefused(
  t: TestContext,
  file: string,
  message: RegExp,
  env: Record<string, string> = {},
): Promise<void> {
  const target = await freshEnvironment(t, env)
  const result = runCli(['restore', file], target.env)
  assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`)
  assert.match(result.stderr, message)
  assert.match(result.stderr, /Nothing was restored\.$/m)
  assert.deepEqual(readdirSync(target.dataDir), [])
}

describe('strongroom backup and restore (sqlite)', () => {
  it('snapshots under write load; the restore holds every write acknowledged before it and its audit log verifies', async (t) => {
    const environment = await createTestEnvironment(t)
    const server = await startServer(t, environment.env)
    const email = `writer-${path.basename(environment.dataDir)}@example.com`
    const token = await signUp(server, email)

    const acknowledged: { id: number; value: string }[] = []
    let writing = true
    let sequence = 0
    const writer = async () => {
      while (writing) {
        const value = `value-${sequence++}`
        const response = await call(server, 'POST', '/v1/secrets', {
          token,
          body: { name: `name-${value}`, encrypted_data: value },
        })
        assert.equal(response.status, 201, JSON.stringify(response.body))
        acknowledged.push({ id: (response.body as { secret_id: number }).secret_id, value })
      }
    }
    const writers = [writer(), writer(), writer()]
    const waitFor = async (count: number) => {
      while (acknowledged.length < count) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await waitFor(30)

    const before = [...acknowledged]
    const file = path.join(environment.dataDir, 'snapshot.backup')
    const backup = await runCliAsync(['backup', file], environment.env)
    // Writes went on while the backup ran, and after it.
    await waitFor(acknowledged.length + 10)
    writing = false
    await Promise.all(writers)
    assert.equal(backup.code, 0, backup.stderr)
    assert.match(backup.stdout, /Backed up to .*snapshot\.backup/)
    const manifest = manifestOf(file)
    assert.ok(manifest.counts.vault_secrets !== undefined)
    assert.ok(manifest.counts.vault_secrets >= before.length)
    assert.ok(manifest.counts.vault_secrets < acknowledged.length)
    // The backup holds ciphertexts only: no value in the clear, and no key of any purpose.
    assert.match(manifest.keyCheck, /^kcv1:/)
    const bytes = readFileSync(file)
    for (const { value } of before) assert.ok(!bytes.includes(value), value)
    const keys = deriveKeys(rootKeyFromSecret(TEST_APP_SECRET))
    for (const key of [
      keys.data.key,
      keys.tokenSigning,
      keys.auditSigning,
      keys.lookup,
      keys.oneTime,
      keys.passwordPepper,
    ]) {
      assert.ok(!bytes.includes(key) && !bytes.includes(key.toString('base64')))
    }
    assert.ok(!bytes.includes(TEST_APP_SECRET))
    assert.equal(await server.stop(), 0)

    const target = await freshEnvironment(t)
    const restored = runCli(['restore', file], target.env)
    assert.equal(restored.code, 0, restored.stderr)
    assert.match(restored.stdout, /Audit log intact: \d+ event\(s\) verified/)
    const verify = runCli(['audit', 'verify'], target.env)
    assert.equal(verify.code, 0, verify.stderr)

    const again = await startServer(t, target.env)
    const listed = await call(again, 'GET', '/v1/user/secrets', {
      token: await login(again, email),
    })
    assert.equal(listed.status, 200)
    const stored = new Map(
      (listed.body as { data: { secret_id: number; encrypted_data: string }[] }).data.map(
        (secret) => [secret.secret_id, secret.encrypted_data],
      ),
    )
    assert.equal(stored.size, manifest.counts.vault_secrets)
    for (const { id, value } of before) assert.equal(stored.get(id), value, `secret ${id}`)
    assert.equal(await again.stop(), 0)
  })

  it('refuses a corrupted, truncated, forged or foreign-keyed backup, and a data directory in use', async (t) => {
    const { environment, file } = await backedUp(t)
    const bytes = readFileSync(file)
    const bad = `${file}.bad`

    // One flipped byte in the database.
    const flipped = Buffer.from(bytes)
    const middle = Math.floor(bytes.length / 2)
    flipped.writeUInt8(flipped.readUInt8(middle) ^ 0x01, middle)
    writeFileSync(bad, flipped)
    await expectRefused(t, bad, /is corrupted: its SHA-256 does not match/)

    // Cut short, at several places.
    for (const length of [bytes.length - 1, Math.floor(bytes.length / 2), 40]) {
      writeFileSync(bad, bytes.subarray(0, length))
      await expectRefused(t, bad, /truncated/)
    }

    // A byte changed and the trailer recomputed to match: the manifest's own SHA-256 catches it.
    const body = Buffer.from(bytes.subarray(0, bytes.length - 73))
    body.writeUInt8(body.readUInt8(body.length - 100) ^ 0x01, body.length - 100)
    const digest = createHash('sha256').update(body).digest('hex')
    writeFileSync(bad, Buffer.concat([body, Buffer.from(`\nsha256 ${digest}\n`)]))
    await expectRefused(t, bad, /does not match the SHA-256 in its manifest/)

    // A manifest edited and the trailer recomputed: the restored store disagrees with it.
    const text = bytes.subarray(0, bytes.length - 73)
    const manifestEnd = text.indexOf(0x0a, text.indexOf(0x0a) + 1)
    const forged = Buffer.concat([
      Buffer.from(text.subarray(0, manifestEnd).toString('utf8').replace('"users":1', '"users":2')),
      text.subarray(manifestEnd),
    ])
    assert.equal(forged.length, text.length)
    const forgedDigest = createHash('sha256').update(forged).digest('hex')
    writeFileSync(bad, Buffer.concat([forged, Buffer.from(`\nsha256 ${forgedDigest}\n`)]))
    await expectRefused(
      t,
      bad,
      /does not restore cleanly: table users has 1 rows where the manifest says 2/,
    )

    // Not a backup at all.
    writeFileSync(bad, 'SQLite format 3\0 and then some')
    await expectRefused(t, bad, /is not a Strongroom backup/)

    // Other keys: refused before anything is written.
    await expectRefused(t, file, /sealed under other keys/, {
      APP_SECRET: 'another installation, another secret',
    })

    // No keys at all (no APP_SECRET, no key file): a usage error, and no key file is made up.
    const keyless = await freshEnvironment(t, { APP_SECRET: '' })
    const noKeys = runCli(['restore', file], keyless.env)
    assert.equal(noKeys.code, 2)
    assert.match(noKeys.stderr, /No keys: set APP_SECRET, or put this installation's master\.key/)
    assert.deepEqual(readdirSync(keyless.dataDir), [])

    // A data directory that holds a store already.
    const inUse = runCli(['restore', file], environment.env)
    assert.equal(inUse.code, 2)
    assert.match(inUse.stderr, /already exists: restore only into an empty data directory/)

    // backup never overwrites.
    const overwrite = runCli(['backup', file], environment.env)
    assert.equal(overwrite.code, 2)
    assert.match(overwrite.stderr, /already exists; name a new file/)

    // And the good file still restores.
    const target = await freshEnvironment(t)
    const restored = runCli(['restore', file], target.env)
    assert.equal(restored.code, 0, restored.stderr)
    assert.deepEqual(readdirSync(target.dataDir).sort(), ['audit-checkpoint.json', 'strongroom.db'])
  })
})
