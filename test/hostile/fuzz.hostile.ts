import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import fc from 'fast-check'

import { createTestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { runCli, startServer } from '../helpers/process.js'
import { rawRequest } from '../helpers/raw-http.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000)
/** Every answer, even to the nastiest request, within this bound. */
const TIME_BOUND_MS = 5000
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const

/**
 * The fuzz part of the hostile-conditions issue, against a real server process: random methods,
 * paths of every surface, parameters, headers, bodies and encodings, huge and deeply nested
 * JSON, with a valid token of an attacker whose victim has data on every surface. Invariants: no
 * 5xx, every answer within the time bound, no answer carrying the victim's data, and the process
 * alive and well at the end.
 */
for (const dialect of DIALECTS) {
  describe(`fuzzing every surface over HTTP (${dialect})`, () => {
    it(`survives ${RUNS} hostile requests with no 5xx and no leak`, async (t) => {
      const environment = await createTestEnvironment(t, {
        dialect,
        env: { LOCK_RATE_LIMITS: '1000000/second', LOG_LEVEL: 'warn', LOCK_DEBUG_VIEWS: 'true' },
      })
      if (dialect === 'postgres') assert.equal(runCli(['migrate'], environment.env).code, 0)
      const server = await startServer(t, environment.env)
      const call = (method: string, path: string, options: Parameters<typeof rawRequest>[3] = {}) =>
        rawRequest(server.url, method, path, options)

      // The victim: a personal secret, a vault secret, a Lock profile, each holding a marker.
      const tag = randomBytes(6).toString('hex')
      const marker = `VictimMarker${tag}`
      const victim = {
        email: `victim-${tag}@example.com`,
        username: `victim${tag}`,
        password: 'victim-pw-1',
      }
      await call('POST', '/register', { body: victim })
      const victimToken = (
        (await call('POST', '/login', { body: { email: victim.email, password: victim.password } }))
          .body as { token: string }
      ).token
      await call('POST', '/set_secret', {
        token: victimToken,
        body: { username: victim.username, secret: `${marker}-personal` },
      })
      const vault = await call('POST', '/v1/secrets', {
        token: victimToken,
        body: { name: `${marker}-name`, encrypted_data: `${marker}-data` },
      })
      const victimSecretId = (vault.body as { secret_id: number }).secret_id
      await call('POST', '/lock/register', {
        body: {
          username: `lock${tag}`,
          password: 'victim-pw-1',
          phone: `${marker}-phone`,
          address: 'x',
        },
      })

      // The attacker, with a valid token of their own.
      const attacker = {
        email: `attacker-${tag}@example.com`,
        username: `attacker${tag}`,
        password: 'attacker-pw',
      }
      await call('POST', '/register', { body: attacker })
      const attackerToken = (
        (
          await call('POST', '/login', {
            body: { email: attacker.email, password: attacker.password },
          })
        ).body as { token: string }
      ).token

      const spec = (await call('GET', '/openapi.json')).body as {
        paths: Record<string, Record<string, unknown>>
      }
      // Logging the attacker out would turn the rest of the run into 401s.
      const paths = Object.keys(spec.paths).filter((path) => path !== '/v1/auth/logout')
      assert.ok(paths.length >= 25, `documented paths: ${paths.length}`)
      const documented = paths.flatMap((path) =>
        Object.keys(spec.paths[path] ?? {}).map((method) => ({
          path,
          method: method.toUpperCase(),
        })),
      )

      const text = fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.constantFrom(
          victim.username,
          String(victimSecretId),
          '0',
          '-1',
          '9'.repeat(30),
          '%00',
          '..%2f..%2f',
          "' or 1=1 --",
        ),
      )
      const deep = fc
        .integer({ min: 20, max: 5000 })
        .map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`)
      const huge = fc
        .integer({ min: 60_000, max: 200_000 })
        .map((size) => JSON.stringify({ secret: 'x'.repeat(size) }))
      const fields = fc.dictionary(
        fc.constantFrom(
          'email',
          'username',
          'password',
          'secret',
          'passphrase',
          'ttl_seconds',
          'secret_id',
          'user_id',
          'group_id',
          'group_name',
          'permission',
          'name',
          'encrypted_data',
          'unlocking-method',
          '__proto__',
          'constructor',
        ),
        fc.oneof(
          text,
          fc.integer(),
          fc.double(),
          fc.boolean(),
          fc.constant(null),
          fc.constant(victimSecretId),
          fc.jsonValue({ maxDepth: 3 }),
        ),
      )
      const body = fc.oneof(
        fields.map((value) => JSON.stringify(value)),
        fc.jsonValue({ maxDepth: 5 }).map((value) => JSON.stringify(value)),
        deep,
        huge,
        fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      )
      const route = fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...documented) },
        {
          weight: 1,
          arbitrary: fc.record({
            path: fc.constantFrom(...paths),
            method: fc.constantFrom(...METHODS),
          }),
        },
      )
      const request = fc.record({
        route,
        param: text,
        query: fc.array(
          fc.tuple(
            fc.constantFrom(
              'username',
              'email',
              'passphrase',
              'page',
              'page_size',
              'cursor',
              'type',
              'limit',
              'x',
            ),
            text,
          ),
          { maxLength: 3 },
        ),
        body: fc.option(body, { nil: undefined }),
        contentType: fc.constantFrom(
          undefined,
          'application/json',
          'application/json; charset=utf-16',
          'text/plain; charset=latin1',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=zz',
        ),
        contentEncoding: fc.constantFrom(undefined, 'gzip', 'br', 'identity'),
        token: fc.constantFrom('attacker', 'none', 'garbage'),
      })

      let sent = 0
      let slowest = 0
      const statuses = new Map<number, number>()
      await fc.assert(
        fc.asyncProperty(request, async (input) => {
          const query = input.query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')
          const { method } = input.route
          const path = `${input.route.path.replace(/\{[^}]+\}/g, encodeURIComponent(input.param))}${query === '' ? '' : `?${query}`}`
          const headers: Record<string, string> = {}
          if (input.contentType !== undefined) headers['content-type'] = input.contentType
          if (input.contentEncoding !== undefined)
            headers['content-encoding'] = input.contentEncoding
          if (input.token === 'garbage')
            headers.authorization = `Bearer ${randomBytes(24).toString('base64url')}`
          const started = performance.now()
          const response = await rawRequest(server.url, method, path, {
            headers,
            ...(input.token === 'attacker' ? { token: attackerToken } : {}),
            ...(input.body === undefined || method === 'HEAD' ? {} : { body: input.body }),
            timeoutMs: TIME_BOUND_MS,
          })
          const elapsed = performance.now() - started
          sent += 1
          slowest = Math.max(slowest, elapsed)
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
          assert.ok(
            response.status < 500,
            `${method} ${path} → ${response.status} ${response.text.slice(0, 200)}`,
          )
          assert.ok(!response.text.includes(marker), `${method} ${path} leaked the victim's data`)
          assert.ok(elapsed < TIME_BOUND_MS)
        }),
        { numRuns: RUNS },
      )

      const health = await call('GET', '/healthz')
      assert.equal(health.status, 200, 'the process is alive')
      const own = await call('GET', `/get_secret?username=${victim.username}`, {
        token: victimToken,
      })
      assert.deepEqual(own.body, { secret: `${marker}-personal` }, 'and still serves its owner')
      const fives = [...statuses].filter(([status]) => status >= 500).length
      t.diagnostic(
        `requests fuzzed: ${sent}; 5xx: ${fives}; slowest answer ${slowest.toFixed(0)} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
      )
      assert.equal(await server.stop(), 0)
    })
  })
}
