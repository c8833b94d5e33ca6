import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildTestApp, openServices } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, json, newIdentity, signUp } from '../helpers/http.js'
import { signUpV1, v1 } from '../helpers/v1.js'

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** Accounts and users on surface 2 (docs/surfaces/2-secrets-v1.md). */
for (const dialect of DIALECTS) {
  describe(`Secrets v1 accounts (${dialect})`, () => {
    it('registers with e-mail and password, optionally a username, and answers the user', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const plain = await v1(app, 'POST', '/auth/register', {
        body: { email: 'Alice@Example.com', password: '12345678' },
      })
      assert.equal(plain.status, 201)
      const { user } = plain.body as { user: Record<string, unknown> }
      assert.deepEqual(Object.keys(user).sort(), ['created_at', 'email', 'id', 'username'])
      assert.equal(typeof user.id, 'number')
      assert.equal(user.email, 'Alice@Example.com')
      assert.equal(user.username, null)
      assert.match(String(user.created_at), ISO)

      const named = await v1(app, 'POST', '/auth/register', {
        body: { email: 'bob@example.com', password: 'long enough', username: 'Bob' },
      })
      assert.equal(named.status, 201)
      assert.equal((named.body as { user: { username: string } }).user.username, 'Bob')
    })

    it('answers 422 with exactly the failing fields, and 400 for bodies it cannot decode', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const cases: [body: unknown, status: number, expected: unknown][] = [
        [
          { email: 'not-an-email', password: 'short' },
          422,
          { error: { email: 'is invalid', password: 'must be at least 8 characters' } },
        ],
        [
          { email: 'ok@example.com', password: '1234567' },
          422,
          { error: { password: 'must be at least 8 characters' } },
        ],
        [{ email: 'bad', password: '12345678' }, 422, { error: { email: 'is invalid' } }],
        // As the Go original words them: an empty e-mail is invalid, an empty password short.
        [{}, 422, { error: { email: 'is invalid', password: 'must be at least 8 characters' } }],
        [
          { email: '', password: '' },
          422,
          { error: { email: 'is invalid', password: 'must be at least 8 characters' } },
        ],
        [{ email: null, password: '12345678' }, 422, { error: { email: 'is invalid' } }],
        [
          { email: 'ok@example.com', password: 'x'.repeat(1025) },
          422,
          { error: { password: 'must not be more than 1024 characters' } },
        ],
        [
          { email: 'ok@example.com', password: 12345678 },
          400,
          { error: 'Request body contains an invalid value for the "password" field' },
        ],
        [[], 400, { error: 'Request body must be a JSON object' }],
        ['text', 400, { error: 'Request body must be a JSON object' }],
      ]
      for (const [body, status, expected] of cases) {
        const response = await v1(app, 'POST', '/auth/register', { body })
        assert.deepEqual(
          { status: response.status, body: response.body },
          { status, body: expected },
          JSON.stringify(body),
        )
      }
      for (const raw of ['', '{"email": ', '{"email":"a@example.com",}']) {
        const response = await v1(app, 'POST', '/auth/register', { raw })
        assert.equal(response.status, 400, raw)
        assert.equal(typeof (response.body as { error: unknown }).error, 'string')
      }
    })

    it('answers 409 to an e-mail (any case) or username taken on any surface', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const first = await signUp(app)
      const email = await v1(app, 'POST', '/auth/register', {
        body: { email: first.email.toUpperCase(), password: '12345678' },
      })
      assert.deepEqual(
        { status: email.status, body: email.body },
        { status: 409, body: { error: 'That email is already taken' } },
      )
      const username = await v1(app, 'POST', '/auth/register', {
        body: { email: 'other@example.com', password: '12345678', username: first.username },
      })
      assert.deepEqual(
        { status: username.status, body: username.body },
        { status: 409, body: { error: 'That username is already taken' } },
      )
    })

    it('logs in: a token for the right password, one sentence for every wrong login', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const user = await signUpV1(app)
      const ok = await v1(app, 'POST', '/auth/login', {
        body: { email: user.email.toUpperCase(), password: user.password },
      })
      assert.equal(ok.status, 200)
      assert.deepEqual(Object.keys(ok.body as object), ['token'])
      assert.equal(ok.headers['cache-control'], 'no-store')
      for (const body of [
        { email: user.email, password: `${user.password}x` },
        { email: 'nobody@example.com', password: user.password },
        { email: 'not even an email', password: user.password },
      ]) {
        const response = await v1(app, 'POST', '/auth/login', { body })
        assert.deepEqual(
          { status: response.status, body: response.body },
          { status: 401, body: { error: 'The provided credentials are invalid' } },
        )
      }
      const missing = await v1(app, 'POST', '/auth/login', { body: { password: 'x' } })
      assert.deepEqual(
        { status: missing.status, body: missing.body },
        { status: 422, body: { error: { email: 'must be provided' } } },
      )
      const empty = await v1(app, 'POST', '/auth/login', {
        body: { email: user.email, password: '' },
      })
      assert.deepEqual(empty.body, { error: { password: 'must be provided' } })
    })

    it('throttles failed logins with 429 and Retry-After, also for the right password', async (t) => {
      const { app } = await buildTestApp(t, {
        dialect,
        env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' },
      })
      const user = await signUpV1(app)
      for (let i = 0; i < 3; i++) {
        const wrong = await v1(app, 'POST', '/auth/login', {
          body: { email: user.email, password: 'wrong password' },
        })
        assert.equal(wrong.status, 401)
      }
      const throttled = await v1(app, 'POST', '/auth/login', {
        body: { email: user.email, password: user.password },
      })
      assert.equal(throttled.status, 429)
      assert.deepEqual(throttled.body, { error: 'Too many requests, try again later' })
      assert.match(String(throttled.headers['retry-after']), /^\d+$/)
    })

    it('is one identity with surface 1: register on either, log in on the other', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      // Surface 1 → /v1.
      const old = await signUp(app)
      const login = await v1(app, 'POST', '/auth/login', {
        body: { email: old.email, password: old.password },
      })
      assert.equal(login.status, 200)
      const v1Token = (login.body as { token: string }).token
      const me = await v1(app, 'GET', '/users/me', { token: v1Token })
      assert.equal((me.body as { user: { username: string } }).user.username, old.username)
      // Surface 1's own token works on /v1 too.
      const mine = await v1(app, 'GET', '/user/secrets', { token: old.token })
      assert.deepEqual(mine.body, { message: 'Success!', data: [] })

      // /v1 → surface 1 (with a username, which surface 1's routes name).
      const identity = newIdentity('fromv1')
      await v1(app, 'POST', '/auth/register', {
        body: { email: identity.email, password: identity.password, username: identity.username },
      })
      const oldLogin = await app.inject({
        method: 'POST',
        url: '/login',
        payload: { email: identity.email, password: identity.password },
      })
      assert.equal(oldLogin.statusCode, 200)
      const { token } = json(oldLogin) as { token: string }
      const set = await app.inject({
        method: 'POST',
        url: '/set_secret',
        headers: bearer(token),
        payload: { username: identity.username, secret: 'from surface 1' },
      })
      assert.equal(set.statusCode, 200)
    })

    it('logs out with 204, and the token is dead on every surface', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const user = await signUp(app)
      const login = await v1(app, 'POST', '/auth/login', {
        body: { email: user.email, password: user.password },
      })
      const { token } = login.body as { token: string }
      await app.inject({
        method: 'POST',
        url: '/set_secret',
        headers: bearer(token),
        payload: { username: user.username, secret: 'kept' },
      })
      const logout = await v1(app, 'POST', '/auth/logout', { token })
      assert.equal(logout.status, 204)
      assert.equal(logout.body, undefined)

      const get = await app.inject({
        method: 'GET',
        url: `/get_secret?username=${user.username}`,
        headers: bearer(token),
      })
      assert.deepEqual(
        { status: get.statusCode, body: json(get) },
        { status: 401, body: { detail: 'Not authorized' } },
      )
      for (const path of ['/users/me', '/user/secrets']) {
        const response = await v1(app, 'GET', path, { token })
        assert.deepEqual(response.body, { error: 'Auth token is invalid' }, path)
      }
      assert.equal((await v1(app, 'POST', '/auth/logout', { token })).status, 401)
      // Other tokens of the same user live on.
      assert.equal((await v1(app, 'GET', '/users/me', { token: user.token })).status, 200)
    })

    it('answers a missing bearer and a bad one with the documented 401s', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const user = await signUpV1(app)
      const missing = await v1(app, 'GET', '/users/me')
      assert.deepEqual(missing.body, { error: 'Authorization required' })
      assert.equal(missing.status, 401)
      assert.equal(missing.headers['www-authenticate'], 'Bearer')
      for (const authorization of [
        'Bearer',
        'Basic abc',
        `Bearer ${user.token}x`,
        `Bearer ${user.token.split('.').slice(0, 2).join('.')}.`,
        'Bearer a.b.c',
      ]) {
        const response = await v1(app, 'GET', '/users/me', { headers: { authorization } })
        assert.deepEqual(
          { status: response.status, body: response.body },
          { status: 401, body: { error: 'Auth token is invalid' } },
          authorization,
        )
      }
    })

    it('tells a user who they are, and finds another by exact e-mail only', async (t) => {
      const { app, ...environment } = await buildTestApp(t, { dialect })
      const alice = await signUpV1(app, 'alice')
      const bob = await signUpV1(app, 'bob')
      const me = await v1(app, 'GET', '/users/me', { token: alice.token })
      const aliceView = (me.body as { user: Record<string, unknown> }).user
      assert.deepEqual(
        { ...aliceView, created_at: 'x' },
        { id: alice.id, email: alice.email, username: null, created_at: 'x' },
      )

      const found = await v1(
        app,
        'GET',
        `/users?email=${encodeURIComponent(bob.email.toUpperCase())}`,
        {
          token: alice.token,
        },
      )
      assert.equal(found.status, 200)
      assert.equal((found.body as { user: { id: number } }).user.id, bob.id)
      for (const email of [
        bob.email.slice(0, 5),
        `${bob.email}x`,
        '%',
        '*',
        bob.email.split('@')[0] ?? '',
      ]) {
        const response = await v1(app, 'GET', `/users?email=${encodeURIComponent(email)}`, {
          token: alice.token,
        })
        assert.deepEqual(
          { status: response.status, body: response.body },
          { status: 404, body: { error: 'The requested resource does not exist' } },
          email,
        )
      }
      const missing = await v1(app, 'GET', '/users', { token: alice.token })
      assert.deepEqual(missing.body, { error: { email: 'must be provided' } })
      const anonymous = await v1(app, 'GET', `/users?email=${encodeURIComponent(bob.email)}`)
      assert.equal(anonymous.status, 401)

      // Each lookup is audited with who asked and whom they found, never the e-mail asked for.
      const { store } = openServices(environment)
      const events = await store.db
        .selectFrom('audit_events')
        .selectAll()
        .where('type', '=', 'user.lookup')
        .orderBy('id')
        .execute()
      assert.equal(events.length, 6)
      assert.deepEqual(
        events.map((event) => [event.actor_id, event.outcome, event.target_id]),
        [
          [alice.id, 'success', String(bob.id)],
          ...Array.from({ length: 5 }, () => [alice.id, 'failure', null]),
        ],
      )
      assert.ok(events.every((event) => !event.details.includes('@')))
    })

    it('rate-limits e-mail lookups per client address and per account', async (t) => {
      const clock = manualClock()
      const { app } = await buildTestApp(t, { dialect, overrides: { clock } })
      const alice = await signUpV1(app, 'alice')
      const bob = await signUpV1(app, 'bob')
      const lookup = (token: string, remoteAddress: string) =>
        app.inject({
          method: 'GET',
          url: `/v1/users?email=${encodeURIComponent(bob.email)}`,
          headers: bearer(token),
          remoteAddress,
        })

      // One address: 30 a minute, whoever asks; then 429 with Retry-After, in this dialect.
      for (let i = 0; i < 30; i++) {
        const ok = await lookup(i % 2 === 0 ? alice.token : bob.token, '203.0.113.1')
        assert.equal(ok.statusCode, 200, `request ${i + 1}`)
      }
      const limited = await lookup(alice.token, '203.0.113.1')
      assert.equal(limited.statusCode, 429)
      assert.deepEqual(json(limited), { error: 'Too many requests, try again later' })
      assert.match(String(limited.headers['retry-after']), /^\d+$/)
      // Refused before the token is looked at: no token is no excuse.
      const anonymous = await app.inject({
        method: 'GET',
        url: '/v1/users?email=x',
        remoteAddress: '203.0.113.1',
      })
      assert.equal(anonymous.statusCode, 429)

      // One account: 30 a minute, from however many addresses (alice spent 15 above).
      for (let i = 0; i < 15; i++) {
        assert.equal((await lookup(alice.token, `198.51.100.${i + 1}`)).statusCode, 200)
      }
      assert.equal((await lookup(alice.token, '198.51.100.200')).statusCode, 429)
      assert.equal((await lookup(bob.token, '198.51.100.201')).statusCode, 200)

      // The window passes.
      clock.advance(61_000)
      assert.equal((await lookup(alice.token, '203.0.113.1')).statusCode, 200)
    })
  })
}
