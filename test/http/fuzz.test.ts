import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import fc from 'fast-check'
import type { FastifyInstance, InjectOptions } from 'fastify'

import { buildTestApp } from '../helpers/app.js'
import { json, signUp } from '../helpers/http.js'

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const

/** Every documented route, from the OpenAPI document, so new routes are fuzzed without edits here. */
async function documentedPaths(app: FastifyInstance): Promise<string[]> {
  const spec = json(await app.inject({ method: 'GET', url: '/openapi.json' })) as {
    paths: Record<string, unknown>
  }
  return Object.keys(spec.paths)
}

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '0', '-1', 'null', '[]', '{}', '%00', '../../etc/passwd', "' OR 1=1 --"),
)

const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc
    .dictionary(
      fc.constantFrom(
        'email',
        'username',
        'password',
        'secret',
        'passphrase',
        'ttl_seconds',
        'secret_id',
        '__proto__',
      ),
      fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 })),
    )
    .map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
)

/**
 * A property-based barrage of random requests on every route (the foundation issue's "process
 * survives" check): no 5xx, every error body is JSON, the app still answers afterwards.
 */
describe('request fuzzing', () => {
  it('answers random methods, paths, headers, queries and bodies without a 5xx', async (t) => {
    const { app } = await buildTestApp(t)
    const user = await signUp(app)
    const paths = await documentedPaths(app)
    assert.ok(paths.length >= 4)

    const request = fc.record({
      method: fc.constantFrom(...METHODS),
      path: fc.constantFrom(...paths),
      param: text,
      query: fc.array(fc.tuple(text, text), { maxLength: 4 }),
      body: fc.option(body, { nil: undefined }),
      contentType: fc.constantFrom(
        undefined,
        'application/json',
        'application/json; charset=latin1',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
      ),
      authorization: fc.oneof(
        fc.constant(undefined),
        fc.constant(`Bearer ${user.token}`),
        text.map((value) => `Bearer ${value}`),
        text,
      ),
      extraHeader: fc.option(
        fc.tuple(
          fc.constantFrom('x-forwarded-for', 'user-agent', 'accept', 'origin'),
          fc.string({ maxLength: 60 }),
        ),
        { nil: undefined },
      ),
    })

    let sent = 0
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const query = input.query
          .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
          .join('&')
        const url = `${input.path.replace(/\{[^}]+\}/g, encodeURIComponent(input.param))}${query === '' ? '' : `?${query}`}`
        const headers: Record<string, string> = {}
        if (input.contentType !== undefined) headers['content-type'] = input.contentType
        if (input.authorization !== undefined)
          headers.authorization = input.authorization.replace(/[\r\n]/g, '')
        if (input.extraHeader !== undefined) {
          headers[input.extraHeader[0]] = input.extraHeader[1].replace(/[^\x20-\x7e]/g, '')
        }
        const options: InjectOptions = { method: input.method, url, headers }
        if (input.body !== undefined && input.method !== 'GET' && input.method !== 'HEAD') {
          options.payload = input.body
        }
        const response = await app.inject(options)
        sent += 1
        assert.ok(
          response.statusCode < 500,
          `${input.method} ${url} → ${response.statusCode} ${response.body}`,
        )
        if (response.statusCode >= 400 && input.method !== 'HEAD') {
          assert.doesNotThrow(() => JSON.parse(response.body), response.body)
          assert.doesNotMatch(response.body, /stack|exception|\/work\/|node_modules/i)
        }
      }),
      { numRuns: 1500 },
    )
    assert.equal(sent, 1500)
    const alive = await app.inject({ method: 'GET', url: '/' })
    assert.equal(alive.statusCode, 200)
  })
})
