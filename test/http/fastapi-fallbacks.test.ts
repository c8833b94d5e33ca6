import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildTestApp } from '../helpers/app.js'
import { json } from '../helpers/http.js'

/** FastAPI's router and body rules on surfaces 1, 4 and 5 (docs/surfaces/1-secret-storage.md). */
describe('FastAPI dialect: content types, trailing slashes, OPTIONS', () => {
  it('refuses a declared non-JSON body with 422, parses an undeclared one as JSON', async (t) => {
    const { app } = await buildTestApp(t)
    const body = JSON.stringify({ secret: 's', passphrase: 'p' })
    for (const url of ['/generate', '/api/secret', '/register']) {
      const plain = await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'text/plain' },
        payload: body,
      })
      assert.equal(plain.statusCode, 422, `${url} ${plain.body}`)
      assert.equal((json(plain) as { detail: { loc: string[] }[] }).detail[0]?.loc[0], 'body')
    }
    const bare = await app.inject({ method: 'POST', url: '/generate', payload: body })
    assert.equal(bare.statusCode, 200, bare.body)
    const vendor = await app.inject({
      method: 'POST',
      url: '/generate',
      headers: { 'content-type': 'application/vnd.api+json; charset=utf-8' },
      payload: body,
    })
    assert.equal(vendor.statusCode, 200, vendor.body)
    // Other dialects keep their originals' rule: the Go service decoded JSON whatever it said.
    const v1 = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ email: 'a@example.com', password: 'x' }),
    })
    assert.equal(v1.statusCode, 401)
  })

  it('redirects a trailing slash with 307 and keeps the query', async (t) => {
    const { app } = await buildTestApp(t)
    const generate = await app.inject({ method: 'POST', url: '/generate/', payload: {} })
    assert.equal(generate.statusCode, 307)
    assert.equal(generate.headers.location, '/generate')
    const read = await app.inject({ method: 'GET', url: '/secrets/abc/?passphrase=x' })
    assert.equal(read.statusCode, 307)
    assert.equal(read.headers.location, '/secrets/abc?passphrase=x')
    const api = await app.inject({ method: 'GET', url: '/api/secret/some-key/' })
    assert.equal(api.statusCode, 307)
    assert.equal(api.headers.location, '/api/secret/some-key')
    const unknown = await app.inject({ method: 'GET', url: '/nothing/' })
    assert.equal(unknown.statusCode, 404)
  })

  it('answers OPTIONS on a served path with 405 and Allow', async (t) => {
    const { app } = await buildTestApp(t)
    for (const [url, allowed] of [
      ['/register', 'POST'],
      ['/generate', 'POST'],
      ['/api/secret', 'POST'],
    ] as const) {
      const response = await app.inject({ method: 'OPTIONS', url })
      assert.equal(response.statusCode, 405, url)
      assert.match(String(response.headers.allow), new RegExp(allowed))
      assert.deepEqual(json(response), { detail: 'Method Not Allowed' })
    }
  })
})
