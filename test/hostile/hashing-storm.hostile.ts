import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { createTestEnvironment } from '../helpers/app.js'
import { startServer } from '../helpers/process.js'
import { rawRequest } from '../helpers/raw-http.js'

const STORM_REQUESTS = 400
const STORM_CONCURRENCY = 50
/** Storm answers to wait for before the login, so the hashing queue is surely full. */
const WARM = 20

/**
 * Finding 5 of the security review: 50 concurrent anonymous hashing requests (here
 * `POST /generate`, each an argon2id hash of its passphrase) moved a login from ~150 ms to ~8 s,
 * because they queued for the same two argon2 slots first come, first served. Logins now have a
 * slot of their own. The storm comes from 400 addresses (through a trusted proxy), so per-client
 * limits do not stop it: what is tested is the reserved slot alone.
 */
describe('anonymous hashing storm', () => {
  it('leaves a login its own slot: it finishes ahead of the hashes queued before it', async (t) => {
    const environment = await createTestEnvironment(t, {
      env: {
        TRUST_PROXY: '127.0.0.1',
        LOG_LEVEL: 'warn',
        // The server's defaults, not the test helper's: the storm spreads over addresses anyway.
        ANONYMOUS_HASH_RATE_LIMITS: '20/minute;200/hour',
        ONE_TIME_CREATE_RATE_LIMITS: '30/minute;300/hour',
      },
    })
    const server = await startServer(t, environment.env)
    const call = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      rawRequest(server.url, 'POST', path, { body, headers })

    const user = { email: 'storm@example.com', username: 'storm', password: 'storm-password' }
    assert.equal((await call('/register', user)).status, 201)
    const login = async (): Promise<number> => {
      const started = performance.now()
      const response = await call('/login', { email: user.email, password: user.password })
      assert.equal(response.status, 200, response.text)
      return performance.now() - started
    }
    t.diagnostic(`login alone: ${(await login()).toFixed(0)} ms`)

    // The storm: each request is one anonymous argon2id hash, from its own address.
    const pending = new Set<number>()
    const statuses: number[] = []
    let next = 0
    let warmed: () => void = () => undefined
    const warm = new Promise<void>((resolve) => {
      warmed = resolve
    })
    const worker = async (): Promise<void> => {
      while (next < STORM_REQUESTS) {
        const i = next++
        pending.add(i)
        const response = await call(
          '/generate',
          { secret: `storm-${i}`, passphrase: `passphrase-${i}` },
          { 'x-forwarded-for': `10.9.${i >> 8}.${i & 255}` },
        )
        pending.delete(i)
        statuses.push(response.status)
        if (statuses.length === WARM) warmed()
      }
    }
    const storm = Promise.all(Array.from({ length: STORM_CONCURRENCY }, worker))

    await warm
    const queuedBefore = new Set(pending)
    const latency = await login()
    const stillQueued = [...queuedBefore].filter((i) => pending.has(i)).length
    t.diagnostic(
      `login during the storm: ${latency.toFixed(0)} ms; ${stillQueued} of the ` +
        `${queuedBefore.size} storm requests in flight when it started were still unanswered`,
    )
    await storm
    t.diagnostic(`storm answers: ${JSON.stringify(countBy(statuses))}`)

    // First come, first served, the login would have waited for every hash queued before it.
    // With its own slot it overtakes them: most are still waiting when it is done.
    assert.ok(
      stillQueued * 2 > queuedBefore.size,
      `${stillQueued} of ${queuedBefore.size} still queued`,
    )
    // The storm itself was served, not refused: the slot was kept, not the work turned away.
    assert.ok(statuses.filter((status) => status === 200).length > STORM_REQUESTS / 2)
  })
})

function countBy(values: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1
  return counts
}
