import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { createTestEnvironment } from '../helpers/app.js'
import { readSealedState } from '../helpers/audit.js'
import { DIALECTS } from '../helpers/dialects.js'
import { runCli, startServer } from '../helpers/process.js'
import type { RunningServer } from '../helpers/process.js'
import { rawRequest } from '../helpers/raw-http.js'

/** How long the writers run before the server is killed mid-flight. */
const LOAD_MS = 2500
const WRITERS_PER_SURFACE = 4

interface Ledger {
  personal: Map<string, { token: string; acked: string | undefined; inFlight: string | undefined }>
  vault: { id: number; name: string; data: string }[]
  lockUsers: { username: string; password: string }[]
  oneTime: { key: string; secret: string }[]
  generated: { key: string; secret: string; passphrase: string }[]
  refused: number
}

async function register(url: string, tag: string): Promise<{ username: string; token: string }> {
  const user = { email: `${tag}@example.com`, username: tag, password: `pw-${tag}` }
  assert.equal((await rawRequest(url, 'POST', '/register', { body: user })).status, 201)
  const login = await rawRequest(url, 'POST', '/login', {
    body: { email: user.email, password: user.password },
  })
  return { username: tag, token: (login.body as { token: string }).token }
}

/** Keeps writing until the server dies; records exactly what was acknowledged with a 2xx. */
async function writeUntilKilled(
  url: string,
  ledger: Ledger,
  surface: number,
  writer: number,
  token: string,
): Promise<void> {
  for (let i = 0; ; i++) {
    const tag = `s${surface}w${writer}i${i}`
    try {
      switch (surface) {
        case 1: {
          const entry = [...ledger.personal.values()][writer]
          if (entry === undefined) return
          const username = [...ledger.personal.keys()][writer] ?? ''
          entry.inFlight = `value-${tag}`
          const response = await rawRequest(url, 'POST', '/set_secret', {
            token: entry.token,
            body: { username, secret: entry.inFlight },
          })
          if (response.status === 200) entry.acked = entry.inFlight
          else ledger.refused += 1
          break
        }
        case 2: {
          const item = { name: `name-${tag}`, data: `ZGF0YS0${tag}` }
          const response = await rawRequest(url, 'POST', '/v1/secrets', {
            token,
            body: { name: item.name, encrypted_data: item.data },
          })
          if (response.status === 201) {
            ledger.vault.push({ ...item, id: (response.body as { secret_id: number }).secret_id })
          } else ledger.refused += 1
          break
        }
        case 3: {
          const user = { username: `lock-${tag}`, password: `password-${tag}` }
          const response = await rawRequest(url, 'POST', '/lock/register', {
            body: { ...user, phone: '555', address: 'here' },
          })
          if (response.status === 200) ledger.lockUsers.push(user)
          else ledger.refused += 1
          break
        }
        case 4: {
          const secret = `one-time-${tag}`
          const response = await rawRequest(url, 'POST', '/api/secret', { body: { secret } })
          if (response.status === 200) {
            ledger.oneTime.push({
              key: (response.body as { secret_key: string }).secret_key,
              secret,
            })
          } else ledger.refused += 1
          break
        }
        default: {
          const item = { secret: `generated-${tag}`, passphrase: `phrase-${tag}` }
          const response = await rawRequest(url, 'POST', '/generate', { body: item })
          if (response.status === 200) {
            ledger.generated.push({
              ...item,
              key: (response.body as { secret_key: string }).secret_key,
            })
          } else ledger.refused += 1
        }
      }
    } catch {
      return // the server is gone
    }
  }
}

async function verifyLedger(server: RunningServer, ledger: Ledger): Promise<void> {
  const url = server.url
  for (const [username, entry] of ledger.personal) {
    if (entry.acked === undefined) continue
    const response = await rawRequest(url, 'GET', `/get_secret?username=${username}`, {
      token: entry.token,
    })
    const { secret } = response.body as { secret: string }
    // The write in flight at the kill may or may not have committed; nothing older may win.
    assert.ok(
      secret === entry.acked || secret === entry.inFlight,
      `${username}: acknowledged ${entry.acked}, found ${secret}`,
    )
  }
  const owner = [...ledger.personal.values()][0]
  assert.ok(owner)
  for (const item of ledger.vault) {
    const response = await rawRequest(url, 'GET', '/v1/secrets', {
      token: owner.token,
      body: { secret_id: item.id },
    })
    assert.equal(response.status, 200, `vault secret ${item.id}`)
    const data = (response.body as { data: { name: string; encrypted_data: string } }).data
    assert.deepEqual([data.name, data.encrypted_data], [item.name, item.data])
  }
  for (const user of ledger.lockUsers) {
    const response = await rawRequest(url, 'POST', '/lock/login', { body: user })
    assert.equal(response.status, 200, `lock user ${user.username}`)
  }
  for (const item of ledger.oneTime) {
    const response = await rawRequest(url, 'GET', `/api/secret/${item.key}`)
    assert.deepEqual(response.body, { secret: item.secret })
  }
  for (const item of ledger.generated) {
    const response = await rawRequest(url, 'POST', `/secrets/${item.key}`, {
      body: { passphrase: item.passphrase },
    })
    assert.deepEqual(response.body, { secret: item.secret })
  }
}

/**
 * The crash test of the hostile-conditions issue: under concurrent writes on every surface, the
 * server is SIGKILLed; after a restart, every write acknowledged with a 2xx reads back exactly,
 * and the audit chain still verifies.
 */
for (const dialect of DIALECTS) {
  describe(`crash under write load (${dialect})`, () => {
    it('loses no acknowledged write when the server is killed mid-flight', async (t) => {
      const environment = await createTestEnvironment(t, {
        dialect,
        env: { LOCK_RATE_LIMITS: '1000000/second', LOG_LEVEL: 'warn' },
      })
      const first = await startServer(t, environment.env)
      const ledger: Ledger = {
        personal: new Map(),
        vault: [],
        lockUsers: [],
        oneTime: [],
        generated: [],
        refused: 0,
      }
      for (let w = 0; w < WRITERS_PER_SURFACE; w++) {
        const user = await register(first.url, `crash${w}${Date.now().toString(36)}`)
        ledger.personal.set(user.username, {
          token: user.token,
          acked: undefined,
          inFlight: undefined,
        })
      }
      const token = [...ledger.personal.values()][0]?.token ?? ''

      const writers = [1, 2, 3, 4, 5].flatMap((surface) =>
        Array.from({ length: WRITERS_PER_SURFACE }, (_, w) =>
          writeUntilKilled(first.url, ledger, surface, w, token),
        ),
      )
      await new Promise((resolve) => setTimeout(resolve, LOAD_MS))
      await first.kill()
      await Promise.all(writers)
      // Events the dead node committed but had not sealed yet: the restarted node seals them.
      const atKill = await readSealedState(environment.env)
      t.diagnostic(
        `audit at SIGKILL: ${atKill.treeSize} sealed, ${atKill.unsealed} committed but unsealed`,
      )

      const personalAcked = [...ledger.personal.values()].filter(
        (entry) => entry.acked !== undefined,
      ).length
      const acknowledged =
        personalAcked +
        ledger.vault.length +
        ledger.lockUsers.length +
        ledger.oneTime.length +
        ledger.generated.length
      t.diagnostic(
        `acknowledged before SIGKILL: personal ${personalAcked} users' latest values, vault ${ledger.vault.length}, lock ${ledger.lockUsers.length}, one-time ${ledger.oneTime.length}, generate ${ledger.generated.length} (refused ${ledger.refused})`,
      )
      assert.ok(ledger.vault.length > 0 && ledger.oneTime.length > 0 && ledger.lockUsers.length > 0)
      assert.equal(ledger.refused, 0)

      const second = await startServer(t, environment.env)
      await verifyLedger(second, ledger)
      t.diagnostic(`all ${acknowledged} acknowledged writes read back after restart`)
      assert.equal(await second.stop(), 0)

      // Every event committed before the kill is sealed exactly once, and nothing is lost: the
      // log holds at least what it held at the kill, every event once, none left unsealed.
      const after = await readSealedState(environment.env)
      assert.equal(after.unsealed, 0)
      assert.ok(after.treeSize >= atKill.treeSize + atKill.unsealed)
      assert.equal(after.treeSize, after.events)
      assert.equal(after.distinctEvents, after.events)
      assert.equal(after.checkpointSize, after.treeSize)
      const verified = runCli(['audit', 'verify'], environment.env)
      assert.equal(verified.code, 0, verified.stderr)
      assert.match(verified.stdout, new RegExp(`intact: ${after.treeSize} event\\(s\\)`))
    })
  })
}
