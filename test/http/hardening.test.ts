import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildApp } from '../../src/app.js'
import { openStore } from '../../src/db/connect.js'
import { buildTestApp, createTestEnvironment } from '../helpers/app.js'
import { bearer, json, signUp } from '../helpers/http.js'

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
}

/** Words that betray internals; no error body may contain one (docs/architecture.md "Everywhere"). */
const LEAKS =
  /error:|exception|traceback|stack|\/work\/|\/home\/|node_modules|sqlite|postgres|kysely|\bat \w+ \(/i

describe('HTTP hardening', () => {
  it('puts the security headers on 200, 401, 404, 405, 413 and 422 responses', async (t) => {
    const { app } = await buildTestApp(t)
    const responses = {
      200: await app.inject({ method: 'GET', url: '/' }),
      401: await app.inject({ method: 'GET', url: '/get_secret?username=a' }),
      404: await app.inject({ method: 'GET', url: '/no/such/path' }),
      405: await app.inject({ method: 'DELETE', url: '/register' }),
      413: await app.inject({
        method: 'POST',
        url: '/register',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: 'a@example.com', username: 'x'.repeat(70_000) }),
      }),
      422: await app.inject({ method: 'POST', url: '/register', payload: {} }),
    }
    for (const [status, response] of Object.entries(responses)) {
      assert.equal(response.statusCode, Number(status))
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        assert.equal(response.headers[name], value, `${name} on ${status}`)
      }
      assert.equal(response.headers['access-control-allow-origin'], undefined)
      assert.doesNotMatch(response.body, LEAKS, status)
    }
    assert.equal(responses[405].headers.allow, 'POST')
    assert.deepEqual(json(responses[404]), { detail: 'Not Found' })
    assert.deepEqual(json(responses[413]), { detail: 'Request body too large' })
  })

  it('refuses an oversized body before looking at its token', async (t) => {
    const { app } = await buildTestApp(t)
    const response = await app.inject({
      method: 'POST',
      url: '/set_secret',
      headers: { ...bearer('not-a-token'), 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'a', secret: 'x'.repeat(100_000) }),
    })
    assert.equal(response.statusCode, 413)
  })

  it('refuses JSON nested deeper than 32 levels with 422, quickly', async (t) => {
    const { app } = await buildTestApp(t)
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`
    const started = performance.now()
    const response = await app.inject({
      method: 'POST',
      url: '/register',
      headers: { 'content-type': 'application/json' },
      payload: deep,
    })
    assert.equal(response.statusCode, 422)
    assert.ok(performance.now() - started < 1000)
    const shallow = await app.inject({
      method: 'POST',
      url: '/register',
      headers: { 'content-type': 'application/json' },
      payload: `{"email":"a@example.com","username":"u","password":"p","x":${'['.repeat(30)}${']'.repeat(30)}}`,
    })
    assert.equal(shallow.statusCode, 201)
  })

  it('reads JSON only when the body says JSON or says nothing, as FastAPI', async (t) => {
    const { app } = await buildTestApp(t)
    const cases = [
      ['text/plain', 422],
      ['application/x-www-form-urlencoded', 422],
      ['', 201],
      ['application/json; charset=utf-8', 201],
    ] as const
    for (const [i, [type, status]] of cases.entries()) {
      const response = await app.inject({
        method: 'POST',
        url: '/register',
        headers: type === '' ? {} : { 'content-type': type },
        payload: JSON.stringify({ email: `ct${i}@example.com`, username: `ct${i}`, password: 'p' }),
      })
      assert.equal(response.statusCode, status, type)
    }
  })

  it('answers a lost database with a generic 500 that names nothing inside', async (t) => {
    const environment = await createTestEnvironment(t)
    const store = openStore(environment.config.database)
    const app = await buildApp(environment.config, { store })
    environment.defer(() => app.close())
    const user = await signUp(app)
    await store.close()
    const response = await app.inject({
      method: 'GET',
      url: `/get_secret?username=${user.username}`,
      headers: bearer(user.token),
    })
    assert.equal(response.statusCode, 500)
    assert.deepEqual(json(response), { detail: 'Internal Server Error' })
    assert.equal(response.headers['x-content-type-options'], 'nosniff')
  })

  it('describes itself at / and publishes one OpenAPI document and Swagger UI', async (t) => {
    const { app } = await buildTestApp(t)
    const home = json(await app.inject({ method: 'GET', url: '/' })) as Record<string, unknown>
    assert.equal(home.name, 'Strongroom')
    assert.equal(home.openapi, '/openapi.json')

    for (const prefix of ['', '/api']) {
      const document = await app.inject({ method: 'GET', url: `${prefix}/openapi.json` })
      assert.equal(document.statusCode, 200)
      const spec = json(document) as { openapi: string; paths: Record<string, unknown> }
      assert.equal(spec.openapi, '3.1.0')
      for (const path of ['/register', '/login', '/set_secret', '/get_secret']) {
        assert.ok(path in spec.paths, path)
      }
      const docs = await app.inject({ method: 'GET', url: `${prefix}/docs` })
      const page =
        docs.statusCode === 302
          ? await app.inject({ method: 'GET', url: String(docs.headers.location) })
          : docs
      assert.equal(page.statusCode, 200)
      assert.match(String(page.headers['content-type']), /text\/html/)
    }
  })

  it('sends CORS headers only for configured origins', async (t) => {
    const { app } = await buildTestApp(t, { env: { CORS_ORIGINS: 'https://app.example.com' } })
    const allowed = await app.inject({
      method: 'GET',
      url: '/',
      headers: { origin: 'https://app.example.com' },
    })
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example.com')
    const other = await app.inject({
      method: 'GET',
      url: '/',
      headers: { origin: 'https://evil.example.com' },
    })
    assert.equal(other.headers['access-control-allow-origin'], undefined)
    assert.equal(other.headers['access-control-allow-credentials'], undefined)
  })
})
