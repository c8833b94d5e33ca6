import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'

import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

import { buildTestApp, openServices } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, json, signUp } from '../helpers/http.js'

/** What `inject` sends as Host, so the same-origin check sees a page of this origin. */
const ORIGIN = 'http://localhost:80'
const CIPHERTEXT = `v1.${'A'.repeat(16)}.${'B'.repeat(40)}`

const call = (
  app: FastifyInstance,
  path: string,
  payload: Record<string, unknown> = {},
  headers: Record<string, string> = { origin: ORIGIN },
): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'POST', url: `/app/api${path}`, payload, headers })

const body = (response: LightMyRequestResponse) => json(response) as Record<string, unknown>

async function createLink(app: FastifyInstance, extra: Record<string, unknown> = {}) {
  const response = await call(app, '/links', { ciphertext: CIPHERTEXT, ttl_seconds: 300, ...extra })
  assert.equal(response.statusCode, 200, response.body)
  return body(response) as { key: string; expires_at: string; passphrase: boolean }
}

/** Signs in through the app; returns the session cookie as a browser would send it back. */
async function signIn(app: FastifyInstance, user: { email: string; password: string }) {
  const response = await call(app, '/session/login', { email: user.email, password: user.password })
  assert.equal(response.statusCode, 200, response.body)
  const setCookie = String(response.headers['set-cookie'])
  const cookie = /^strongroom_session=[^;]+/.exec(setCookie)?.[0]
  assert.ok(cookie !== undefined, setCookie)
  return { response, setCookie, cookie, headers: { origin: ORIGIN, cookie } }
}

for (const dialect of DIALECTS) {
  describe(`web app API (${dialect})`, () => {
    const build = (t: TestContext, clock = manualClock()) =>
      buildTestApp(t, { dialect, overrides: { clock } })

    it('serves its pages under a strict CSP with the usual security headers, linked from /', async (t) => {
      const { app } = await build(t)
      const home = body(await app.inject({ method: 'GET', url: '/' }))
      assert.equal(home.app, '/app')
      for (const url of ['/app', '/app/vault', `/app/s/${'a'.repeat(32)}`]) {
        const page = await app.inject({ method: 'GET', url })
        assert.equal(page.statusCode, 200, url)
        assert.match(String(page.headers['content-type']), /^text\/html/)
        const csp = String(page.headers['content-security-policy'])
        assert.match(csp, /script-src 'self'/)
        assert.match(csp, /style-src 'self'/)
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
        assert.equal(page.headers['x-frame-options'], 'DENY')
        assert.equal(page.headers['x-content-type-options'], 'nosniff')
        assert.equal(page.headers['referrer-policy'], 'no-referrer')
        assert.doesNotMatch(page.body, /<script>|<style>| style=| on\w+=/)
        const script = /src="(\/app\/assets\/[^"]+\.js)"/.exec(page.body)?.[1]
        assert.ok(script !== undefined)
        const asset = await app.inject({ method: 'GET', url: script })
        assert.equal(asset.statusCode, 200)
        assert.match(String(asset.headers['cache-control']), /immutable/)
      }
      const missing = await app.inject({ method: 'GET', url: '/app/assets/nope.js' })
      assert.equal(missing.statusCode, 404)
    })

    it('refuses every API call that is not from a page of this origin', async (t) => {
      const { app } = await build(t)
      const payload = { ciphertext: CIPHERTEXT, ttl_seconds: 60 }
      const attempts: Record<string, string>[] = [
        {},
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { origin: ORIGIN, 'sec-fetch-site': 'cross-site' },
      ]
      for (const headers of attempts) {
        const refused = await call(app, '/links', payload, headers)
        assert.equal(refused.statusCode, 403, JSON.stringify(headers))
        assert.deepEqual(body(refused), { error: 'forbidden', subject: 'origin' })
      }
      const allowed = await call(app, '/links', payload, {
        origin: ORIGIN,
        'sec-fetch-site': 'same-origin',
      })
      assert.equal(allowed.statusCode, 200)
    })

    it('stores only ciphertext in its own format, and gives it back exactly once', async (t) => {
      const { app } = await build(t)
      const plain = await call(app, '/links', { ciphertext: 'my password', ttl_seconds: 60 })
      assert.equal(plain.statusCode, 400)
      const link = await createLink(app)
      assert.match(link.key, /^[0-9a-f-]{36}$/)
      assert.equal(link.passphrase, false)
      // Loading the page, whoever asks, touches nothing.
      for (const agent of ['curl/8.5.0', 'Slackbot-LinkExpanding 1.0', 'facebookexternalhit/1.1']) {
        const page = await app.inject({
          method: 'GET',
          url: `/app/s/${link.key}`,
          headers: { 'user-agent': agent },
        })
        assert.equal(page.statusCode, 200)
      }
      const first = await call(app, `/links/${link.key}/reveal`)
      assert.equal(first.statusCode, 200)
      assert.deepEqual(body(first), { ciphertext: CIPHERTEXT })
      const second = await call(app, `/links/${link.key}/reveal`)
      assert.equal(second.statusCode, 404)
      const malformed = await call(app, '/links/not-a-key/reveal')
      assert.equal(malformed.statusCode, 404)
    })

    it('counts wrong passphrases down, and the last one destroys the secret', async (t) => {
      const { app, config } = await build(t)
      const link = await createLink(app, { passphrase: 'right horse' })
      assert.equal(link.passphrase, true)
      const unasked = await call(app, `/links/${link.key}/reveal`)
      assert.equal(unasked.statusCode, 401)
      for (let left = config.oneTimeMaxAttempts - 1; left >= 0; left -= 1) {
        const wrong = await call(app, `/links/${link.key}/reveal`, { passphrase: 'wrong' })
        assert.equal(wrong.statusCode, 401)
        assert.deepEqual(body(wrong), { error: 'wrong_passphrase', attempts_left: left })
      }
      const after = await call(app, `/links/${link.key}/reveal`, { passphrase: 'right horse' })
      assert.equal(after.statusCode, 404)
    })

    it('opens with the right passphrase after a wrong one, once', async (t) => {
      const { app } = await build(t)
      const link = await createLink(app, { passphrase: 'right horse' })
      const wrong = await call(app, `/links/${link.key}/reveal`, { passphrase: 'wrong' })
      assert.equal(body(wrong).attempts_left, 4)
      const right = await call(app, `/links/${link.key}/reveal`, { passphrase: 'right horse' })
      assert.deepEqual(body(right), { ciphertext: CIPHERTEXT })
      const again = await call(app, `/links/${link.key}/reveal`, { passphrase: 'right horse' })
      assert.equal(again.statusCode, 404)
    })

    it('forgets a link when it expires', async (t) => {
      const clock = manualClock()
      const { app } = await build(t, clock)
      const link = await createLink(app, { ttl_seconds: 60 })
      const protectedLink = await createLink(app, { ttl_seconds: 60, passphrase: 'p' })
      clock.advance(61_000)
      assert.equal((await call(app, `/links/${link.key}/reveal`)).statusCode, 404)
      const late = await call(app, `/links/${protectedLink.key}/reveal`, { passphrase: 'p' })
      assert.equal(late.statusCode, 404)
    })

    it('says who a link is from when its maker was signed in, and looking burns nothing', async (t) => {
      const { app } = await build(t)
      const user = await signUp(app)
      const { headers } = await signIn(app, user)
      const made = await call(app, '/links', { ciphertext: CIPHERTEXT, ttl_seconds: 60 }, headers)
      assert.equal(made.statusCode, 200, made.body)
      const signed = body(made) as { key: string; from: string | null }
      assert.equal(signed.from, user.email)
      const anonymous = await createLink(app, { passphrase: 'p' })
      assert.equal((anonymous as { from?: unknown }).from, null)
      // Anyone may look, any number of times: the page asks before the click.
      for (let look = 0; look < 3; look += 1) {
        const about = await call(app, `/links/${signed.key}/about`)
        assert.equal(about.statusCode, 200, about.body)
        assert.deepEqual(body(about), { from: user.email })
        assert.deepEqual(body(await call(app, `/links/${anonymous.key}/about`)), { from: null })
      }
      assert.deepEqual(body(await call(app, `/links/${signed.key}/reveal`)), {
        ciphertext: CIPHERTEXT,
      })
      const wrong = await call(app, `/links/${anonymous.key}/reveal`, { passphrase: 'wrong' })
      assert.equal(body(wrong).attempts_left, 4, 'looking spent no attempt')
      assert.equal((await call(app, `/links/${signed.key}/about`)).statusCode, 404)
      assert.equal((await call(app, '/links/not-a-key/about')).statusCode, 404)
      // A link made through surface 4 is from no one, and its API answers are unchanged.
      const api = await app.inject({
        method: 'POST',
        url: '/api/secret',
        payload: { secret: 'via api', ttl_seconds: 60 },
      })
      assert.equal(api.statusCode, 200, api.body)
      const apiKey = String(body(api).secret_key)
      assert.deepEqual(body(await call(app, `/links/${apiKey}/about`)), { from: null })
    })

    it('signs in with an HttpOnly SameSite=Strict cookie and never hands the token to the page', async (t) => {
      const { app } = await build(t)
      const user = await signUp(app)
      const { response, setCookie, headers } = await signIn(app, user)
      assert.match(setCookie, /HttpOnly/)
      assert.match(setCookie, /SameSite=Strict/)
      assert.match(setCookie, /Path=\/app/)
      assert.doesNotMatch(setCookie, /Secure/)
      assert.doesNotMatch(response.body, /token|eyJ/)
      const me = await call(app, '/session/me', {}, headers)
      assert.equal(me.statusCode, 200)
      assert.equal((body(me).user as { email: string }).email, user.email)
      // A bearer token is not a way in to the app's API, and the cookie is not one to the APIs.
      const withBearer = await call(
        app,
        '/session/me',
        {},
        { origin: ORIGIN, ...bearer(user.token) },
      )
      assert.deepEqual(body(withBearer), { user: null })
      const v1WithCookie = await app.inject({
        method: 'GET',
        url: '/v1/users/me',
        headers: { cookie: headers.cookie },
      })
      assert.equal(v1WithCookie.statusCode, 401)
    })

    it('marks the cookie Secure when the request came over HTTPS', async (t) => {
      const { app } = await buildTestApp(t, { dialect, env: { TRUST_PROXY: '127.0.0.1' } })
      const user = await signUp(app)
      const response = await app.inject({
        method: 'POST',
        url: '/app/api/session/login',
        payload: { email: user.email, password: user.password },
        headers: { origin: 'https://localhost:80', 'x-forwarded-proto': 'https' },
      })
      assert.equal(response.statusCode, 200, response.body)
      assert.match(String(response.headers['set-cookie']), /; Secure/)
    })

    it('logs out by revoking the token, so the session is dead everywhere', async (t) => {
      const { app } = await build(t)
      const user = await signUp(app)
      const { cookie, headers } = await signIn(app, user)
      const token = cookie.split('=')[1] ?? ''
      assert.equal(
        (await app.inject({ method: 'GET', url: '/v1/users/me', headers: bearer(token) }))
          .statusCode,
        200,
      )
      const out = await call(app, '/session/logout', {}, headers)
      assert.equal(out.statusCode, 204)
      assert.match(String(out.headers['set-cookie']), /strongroom_session=; Max-Age=0/)
      assert.deepEqual(body(await call(app, '/session/me', {}, headers)), { user: null })
      assert.equal(
        (await app.inject({ method: 'GET', url: '/v1/users/me', headers: bearer(token) }))
          .statusCode,
        401,
      )
    })

    it('calls the vault API on the session’s behalf, and only the vault API', async (t) => {
      const { app } = await build(t)
      const user = await signUp(app)
      const { headers } = await signIn(app, user)
      const created = await call(
        app,
        '/v1',
        { method: 'POST', path: '/secrets', body: { name: 'db', encrypted_data: 'pw' } },
        headers,
      )
      assert.equal(created.statusCode, 201, created.body)
      const id = body(created).secret_id
      const read = await call(
        app,
        '/v1',
        { method: 'GET', path: '/secrets', body: { secret_id: id } },
        headers,
      )
      assert.equal(read.statusCode, 200)
      assert.equal((body(read).data as { encrypted_data: string }).encrypted_data, 'pw')
      const anonymous = await call(app, '/v1', { method: 'GET', path: '/user/secrets' })
      assert.equal(anonymous.statusCode, 401)
      for (const path of [
        '/auth/login',
        '/audit/export',
        '//evil.example/secrets',
        '/../openapi.json',
      ]) {
        const refused = await call(app, '/v1', { method: 'GET', path }, headers)
        assert.equal(refused.statusCode, 404, path)
      }
    })

    it('lists the caller’s groups', async (t) => {
      const { app } = await build(t)
      const user = await signUp(app)
      const { headers } = await signIn(app, user)
      const made = await call(
        app,
        '/v1',
        { method: 'POST', path: '/groups', body: { group_name: 'ops team' } },
        headers,
      )
      assert.equal(made.statusCode, 201, made.body)
      const mine = await call(app, '/groups/mine', {}, headers)
      assert.equal(mine.statusCode, 200)
      assert.deepEqual(
        (body(mine).groups as { name: string }[]).map((group) => group.name),
        ['ops team'],
      )
    })

    it('lists a secret’s current shares to its owner only, so they can be revoked', async (t) => {
      const { app } = await build(t)
      const owner = await signUp(app)
      const reader = await signUp(app)
      const { headers } = await signIn(app, owner)
      const readerSession = await signIn(app, reader)
      const v1 = (payload: Record<string, unknown>, as = headers) => call(app, '/v1', payload, as)
      const created = await v1({
        method: 'POST',
        path: '/secrets',
        body: { name: 'db', encrypted_data: 'pw' },
      })
      const secretId = Number(body(created).secret_id)
      const group = await v1({ method: 'POST', path: '/groups', body: { group_name: 'ops team' } })
      const groupId = Number(body(group).group_id ?? (body(group).data as { id: number }).id)
      const me = await call(app, '/session/me', {}, readerSession.headers)
      const readerId = (body(me).user as { id: number }).id
      for (const share of [
        { path: '/secrets/share/user', body: { user_id: readerId, permission: 'read-write' } },
        { path: '/secrets/share/group', body: { group_id: groupId, permission: 'read-only' } },
      ]) {
        const shared = await v1({
          method: 'POST',
          path: share.path,
          body: { secret_id: secretId, ...share.body },
        })
        assert.ok([200, 201].includes(shared.statusCode), shared.body)
      }
      const listed = await call(app, '/secrets/shares', { secret_id: secretId }, headers)
      assert.equal(listed.statusCode, 200, listed.body)
      const shares = body(listed).shares as Record<string, unknown>[]
      assert.deepEqual(
        shares.map(({ kind, id, name, permission }) => ({ kind, id, name, permission })),
        [
          { kind: 'user', id: readerId, name: reader.email, permission: 'read-write' },
          { kind: 'group', id: groupId, name: 'ops team', permission: 'read-only' },
        ],
      )
      // The reader may read it, but not see or manage who else holds it.
      const refused = await call(
        app,
        '/secrets/shares',
        { secret_id: secretId },
        readerSession.headers,
      )
      assert.equal(refused.statusCode, 403, refused.body)
      const unknown = await call(app, '/secrets/shares', { secret_id: 999_999 }, headers)
      assert.equal(unknown.statusCode, 404, unknown.body)
      assert.equal((await call(app, '/secrets/shares', { secret_id: secretId })).statusCode, 401)
      const revoked = await v1({
        method: 'DELETE',
        path: '/secrets/share/user',
        body: { secret_id: secretId, user_id: readerId },
      })
      assert.ok([200, 204].includes(revoked.statusCode), revoked.body)
      const after = await call(app, '/secrets/shares', { secret_id: secretId }, headers)
      assert.deepEqual(
        (body(after).shares as { kind: string }[]).map((share) => share.kind),
        ['group'],
      )
    })

    it('shows the audit chain’s verification to administrators only', async (t) => {
      const environment = await build(t)
      const { app } = environment
      const user = await signUp(app)
      const { headers } = await signIn(app, user)
      assert.equal((await call(app, '/audit/verify', {}, headers)).statusCode, 403)
      const { services } = openServices(environment)
      await services.accounts.setRole(user.username, 'admin', { clientIp: '', userAgent: 'test' })
      const verified = await call(app, '/audit/verify', {}, headers)
      assert.equal(verified.statusCode, 200, verified.body)
      assert.equal(body(verified).ok, true)
      assert.ok(Number(body(verified).checked) > 0)
    })
  })
}
