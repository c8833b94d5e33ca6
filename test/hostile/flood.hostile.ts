import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'

import { createTestEnvironment } from '../helpers/app.js'
import { startServer } from '../helpers/process.js'
import { rawRequest } from '../helpers/raw-http.js'

const LOGINS = 2000
const ONE_TIME_READS = 4000
const CLIENTS = 100
const CONCURRENCY = 64

/** Resident set size of a process in MB, from /proc. */
function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(match?.[1] ?? 0) / 1024
}

/** Runs `jobs` with at most `limit` in flight. */
async function pool(jobs: (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]
        if (job !== undefined) await job()
      }
    }),
  )
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

/**
 * The flood part of the hostile-conditions issue: thousands of requests from many simulated
 * clients (X-Forwarded-For from a trusted proxy) against login and one-time reads. Other routes
 * stay responsive meanwhile, and memory settles back near its baseline afterwards.
 */
describe('flood of logins and one-time reads', () => {
  it('keeps other routes responsive and gives the memory back', async (t) => {
    const environment = await createTestEnvironment(t, {
      env: { TRUST_PROXY: '127.0.0.1', LOG_LEVEL: 'warn', LOGIN_MAX_FAILURES_PER_IP: '20' },
    })
    const server = await startServer(t, environment.env)
    const call = (method: string, path: string, options: Parameters<typeof rawRequest>[3] = {}) =>
      rawRequest(server.url, method, path, options)

    const owner = { email: 'owner@example.com', username: 'owner', password: 'owner-pw' }
    await call('POST', '/register', { body: owner })
    const token = (
      (await call('POST', '/login', { body: { email: owner.email, password: owner.password } }))
        .body as { token: string }
    ).token
    await call('POST', '/set_secret', { token, body: { username: 'owner', secret: 'still here' } })

    // Warm up every path the flood takes, then take the baseline.
    for (let i = 0; i < 50; i++) {
      await call('GET', `/api/secret/${randomUUID()}`)
      await call('GET', `/get_secret?username=owner`, { token })
    }
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const baseline = rssMb(server.pid)

    const clients = Array.from(
      { length: CLIENTS },
      (_, i) => `10.${i >> 8}.${i & 255}.${(i * 7) & 255}`,
    )
    const client = (i: number): Record<string, string> => ({
      'x-forwarded-for': clients[i % CLIENTS] ?? '10.0.0.1',
    })
    const realSecrets = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const response = await call('POST', '/api/secret', { body: { secret: `flood-${i}` } })
        return (response.body as { secret_key: string }).secret_key
      }),
    )

    const statuses = new Map<number, number>()
    const count = (status: number): void => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }
    const jobs: (() => Promise<unknown>)[] = []
    for (let i = 0; i < LOGINS; i++) {
      jobs.push(async () => {
        // Forty guessing clients, fifty guesses each: past the per-address limit of 20.
        const response = await call('POST', '/login', {
          headers: client(i % 40),
          body: {
            email: `nobody-${i % 300}@example.com`,
            password: randomBytes(6).toString('hex'),
          },
        })
        count(response.status)
      })
    }
    for (let i = 0; i < ONE_TIME_READS; i++) {
      jobs.push(async () => {
        const key = i < realSecrets.length ? realSecrets[i] : randomUUID()
        const response = await call('GET', `/api/secret/${key ?? randomUUID()}`, {
          headers: client(i),
        })
        count(response.status)
      })
    }
    jobs.sort(() => Math.random() - 0.5)

    // Meanwhile, someone else keeps reading their own secret.
    const probe: number[] = []
    const flood = { running: true }
    let peak = baseline
    const prober = (async () => {
      while (flood.running) {
        const started = performance.now()
        const response = await call('GET', '/get_secret?username=owner', { token })
        probe.push(performance.now() - started)
        assert.deepEqual(response.body, { secret: 'still here' })
        peak = Math.max(peak, rssMb(server.pid))
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })()
    const started = performance.now()
    await pool(jobs, CONCURRENCY)
    const floodSeconds = (performance.now() - started) / 1000
    flood.running = false
    await prober

    assert.ok(![...statuses.keys()].some((status) => status >= 500), JSON.stringify([...statuses]))
    assert.equal(statuses.get(200), realSecrets.length, 'every real secret read exactly once')
    assert.ok((statuses.get(429) ?? 0) > 0, 'throttling turned the login flood away')
    const p50 = percentile(probe, 50)
    const p99 = percentile(probe, 99)
    assert.ok(probe.length >= 10, `probes: ${probe.length}`)
    assert.ok(p50 < 100, `probe p50 ${p50.toFixed(1)} ms`)
    assert.ok(p99 < 1000, `probe p99 ${p99.toFixed(1)} ms`)

    // Let the process settle, then compare with the baseline.
    const settleMs = Number(process.env.FLOOD_SETTLE_MS ?? 5000)
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    const settled = rssMb(server.pid)
    t.diagnostic(
      `${LOGINS + ONE_TIME_READS} requests from ${CLIENTS} clients in ${floodSeconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}; other reads p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms over ${probe.length} probes; RSS baseline ${baseline.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, settled ${settled.toFixed(0)} MB`,
    )
    assert.ok(
      settled < baseline + 40,
      `settled RSS ${settled.toFixed(0)} MB vs baseline ${baseline.toFixed(0)} MB`,
    )
    assert.equal(await server.stop(), 0)
  })
})
