import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildTestApp, createTestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { json } from '../helpers/http.js'
import { call, startServer } from '../helpers/process.js'
import type { RunningServer } from '../helpers/process.js'

const READERS = 50

/** How many of the answers were each status, e.g. `{ 200: 1, 404: 49 }`. */
function tally(statuses: readonly number[]): Record<number, number> {
  const counts: Record<number, number> = {}
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1
  return counts
}

/**
 * Issue 4's "exactly once": of any number of simultaneous readers, on any number of server
 * processes sharing one database, exactly one gets the secret and every other one a 404.
 */
for (const dialect of DIALECTS) {
  describe(`one-time secrets are read exactly once (${dialect})`, () => {
    it(`gives each secret to exactly one of ${READERS} simultaneous readers in one process`, async (t) => {
      const { app } = await buildTestApp(t, { dialect })

      const api = await app.inject({
        method: 'POST',
        url: '/api/secret',
        payload: { secret: 'api-once' },
      })
      const { secret_key: apiKey } = json(api) as { secret_key: string }
      const apiReads = await Promise.all(
        Array.from({ length: READERS }, () =>
          app.inject({ method: 'GET', url: `/api/secret/${apiKey}` }),
        ),
      )
      assert.deepEqual(tally(apiReads.map((r) => r.statusCode)), { 200: 1, 404: READERS - 1 })
      assert.deepEqual(json(apiReads.find((r) => r.statusCode === 200) ?? api), {
        secret: 'api-once',
      })

      const generated = await app.inject({
        method: 'POST',
        url: '/generate',
        payload: { secret: 'generate-once', passphrase: 'p' },
      })
      const { secret_key: generateKey } = json(generated) as { secret_key: string }
      const generateReads = await Promise.all(
        Array.from({ length: READERS }, (_, i) =>
          i % 2 === 0
            ? app.inject({ method: 'GET', url: `/secrets/${generateKey}?passphrase=p` })
            : app.inject({
                method: 'POST',
                url: `/secrets/${generateKey}`,
                payload: { passphrase: 'p' },
              }),
        ),
      )
      assert.deepEqual(tally(generateReads.map((r) => r.statusCode)), { 200: 1, 404: READERS - 1 })
      assert.deepEqual(json(generateReads.find((r) => r.statusCode === 200) ?? generated), {
        secret: 'generate-once',
      })

      // Deleting races reading the same way: one of them wins, never both.
      const raced = await app.inject({
        method: 'POST',
        url: '/api/secret',
        payload: { secret: 'r' },
      })
      const { secret_key: racedKey } = json(raced) as { secret_key: string }
      const mixed = await Promise.all(
        Array.from({ length: READERS }, (_, i) =>
          app.inject({ method: i % 2 === 0 ? 'GET' : 'DELETE', url: `/api/secret/${racedKey}` }),
        ),
      )
      assert.deepEqual(tally(mixed.map((r) => r.statusCode)), { 200: 1, 404: READERS - 1 })
    })

    it(`gives each secret to exactly one of ${READERS} readers spread over two server processes`, async (t) => {
      // `startServer` waits for the "listening" log line, so the servers log at info.
      const environment = await createTestEnvironment(t, { dialect, env: { LOG_LEVEL: 'info' } })
      // Started one after the other: the first one migrates an SQLite store.
      const first = await startServer(t, environment.env)
      const second = await startServer(t, environment.env)
      const on = (i: number): RunningServer => (i % 2 === 0 ? first : second)

      for (const [create, read] of [
        [
          () => call(on(0), 'POST', '/api/secret', { body: { secret: 'api across nodes' } }),
          (key: string, i: number) => call(on(i), 'GET', `/api/secret/${key}`),
        ],
        [
          () =>
            call(on(1), 'POST', '/generate', {
              body: { secret: 'generate across nodes', passphrase: 'pass phrase' },
            }),
          (key: string, i: number) =>
            call(on(i), 'POST', `/secrets/${key}`, { body: { passphrase: 'pass phrase' } }),
        ],
      ] as const) {
        const created = await create()
        assert.equal(created.status, 200)
        const { secret_key } = created.body as { secret_key: string }
        const reads = await Promise.all(
          Array.from({ length: READERS }, (_, i) => read(secret_key, i)),
        )
        assert.deepEqual(tally(reads.map((r) => r.status)), { 200: 1, 404: READERS - 1 })
        const winner = reads.find((r) => r.status === 200)
        assert.match(JSON.stringify(winner?.body), /across nodes/)
        assert.ok(
          reads
            .filter((r) => r.status === 404)
            .every((r) => JSON.stringify(r.body) === '{"detail":"Secret not found"}'),
        )
      }

      for (const server of [first, second]) assert.equal(await server.stop(), 0)
    })
  })
}
