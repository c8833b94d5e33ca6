import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildTestApp, deleteUserRow, openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, json, newIdentity, signUp } from '../helpers/http.js'

/** docs/surfaces/1-secret-storage.md, through the production app, on every dialect the machine offers. */
for (const dialect of DIALECTS) {
  describe(`Secret Storage surface (${dialect})`, () => {
    it('runs the whole documented flow: register, login, set, get, overwrite', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const identity = { email: 'newuser@example.com', username: 'user1', password: 'pass' }

      const registered = await app.inject({ method: 'POST', url: '/register', payload: identity })
      assert.equal(registered.statusCode, 201)
      assert.deepEqual(json(registered), { message: 'Registration successful' })

      const login = await app.inject({
        method: 'POST',
        url: '/login',
        payload: { email: identity.email, password: identity.password },
      })
      assert.equal(login.statusCode, 200)
      const { token, message } = json(login) as { token: string; message: string }
      assert.equal(message, 'Login successful')
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/)
      assert.equal(login.headers['cache-control'], 'no-store')

      const set = await app.inject({
        method: 'POST',
        url: '/set_secret',
        headers: bearer(token),
        payload: { username: 'user1', secret: 'myTopSecretValue' },
      })
      assert.equal(set.statusCode, 200)
      assert.deepEqual(json(set), { message: 'Secret set successfully' })

      const get = await app.inject({
        method: 'GET',
        url: '/get_secret?username=user1',
        headers: bearer(token),
      })
      assert.equal(get.statusCode, 200)
      assert.deepEqual(json(get), { secret: 'myTopSecretValue' })
      assert.equal(get.headers['cache-control'], 'no-store')

      await app.inject({
        method: 'POST',
        url: '/set_secret',
        headers: bearer(token),
        payload: { username: 'user1', secret: 'second value' },
      })
      const again = await app.inject({
        method: 'GET',
        url: '/get_secret?username=user1',
        headers: bearer(token),
      })
      assert.deepEqual(json(again), { secret: 'second value' })
    })

    it('keeps unicode, empty and 64 KiB-ish secrets exactly', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const user = await signUp(app)
      for (const secret of ['', 'ключ 🔑 秘密\n\t"quoted"', 'x'.repeat(60_000)]) {
        const set = await app.inject({
          method: 'POST',
          url: '/set_secret',
          headers: bearer(user.token),
          payload: { username: user.username, secret },
        })
        assert.equal(set.statusCode, 200)
        const get = await app.inject({
          method: 'GET',
          url: `/get_secret?username=${user.username}`,
          headers: bearer(user.token),
        })
        assert.deepEqual(json(get), { secret })
      }
    })

    it('answers 404 "Not found" before anything was set', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const user = await signUp(app)
      const get = await app.inject({
        method: 'GET',
        url: `/get_secret?username=${user.username}`,
        headers: bearer(user.token),
      })
      assert.equal(get.statusCode, 404)
      assert.deepEqual(json(get), { detail: 'Not found' })
    })

    it('refuses duplicate e-mails (ignoring case) and usernames with 400', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const first = newIdentity()
      await signUp(app, first)
      for (const payload of [
        { ...newIdentity(), email: first.email.toUpperCase() },
        { ...newIdentity(), username: first.username.toUpperCase() },
      ]) {
        const response = await app.inject({ method: 'POST', url: '/register', payload })
        assert.equal(response.statusCode, 400)
        assert.deepEqual(json(response), { detail: 'Email already in use' })
      }
    })

    it('stores only the fields it takes, whatever else the body carries', async (t) => {
      const environment = await buildTestApp(t, { dialect })
      const identity = newIdentity()
      const response = await environment.app.inject({
        method: 'POST',
        url: '/register',
        payload: { ...identity, phone: '555', address: 'x', role: 'admin' },
      })
      assert.equal(response.statusCode, 201)
      const { store } = openServices(environment)
      const row = await store.db
        .selectFrom('users')
        .select(['phone_sealed', 'address_sealed', 'role'])
        .where('username', '=', identity.username)
        .executeTakeFirstOrThrow()
      assert.deepEqual(row, { phone_sealed: null, address_sealed: null, role: 'user' })
    })

    it('answers 422 for missing, mistyped or malformed registration fields', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const valid = newIdentity()
      const cases: unknown[] = [
        {},
        { email: valid.email, username: valid.username },
        { ...valid, email: 'not-an-email' },
        { ...valid, password: 1234 },
        { ...valid, username: null },
        { ...valid, username: '' },
        [valid],
        'text',
      ]
      for (const payload of cases) {
        const response = await app.inject({
          method: 'POST',
          url: '/register',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        })
        assert.equal(response.statusCode, 422, JSON.stringify(payload))
        const body = json(response) as { detail: unknown }
        assert.ok(Array.isArray(body.detail))
        assert.doesNotMatch(response.body, new RegExp(valid.password))
      }
      const broken = await app.inject({
        method: 'POST',
        url: '/register',
        headers: { 'content-type': 'application/json' },
        payload: '{"email": ',
      })
      assert.equal(broken.statusCode, 422)
    })

    it('logs in with the same 401 for an unknown e-mail and a wrong password', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const user = await signUp(app)
      for (const payload of [
        { email: user.email, password: 'wrong' },
        { email: 'nobody@example.com', password: user.password },
        { email: user.email.toUpperCase(), password: user.password.toUpperCase() },
      ]) {
        const response = await app.inject({ method: 'POST', url: '/login', payload })
        assert.equal(response.statusCode, 401)
        assert.deepEqual(json(response), { detail: 'Invalid email or password' })
      }
      const caseInsensitive = await app.inject({
        method: 'POST',
        url: '/login',
        payload: { email: user.email.toUpperCase(), password: user.password },
      })
      assert.equal(caseInsensitive.statusCode, 200)
    })

    it('answers 422, never 200 or 500, to login bodies that are not two strings', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      for (const payload of [
        '{}',
        '[]',
        'null',
        '"x"',
        '{"email":"a@example.com"}',
        '{"email":1,"password":2}',
        '{"email":"a@example.com","password":{"$ne":null}}',
      ]) {
        const response = await app.inject({
          method: 'POST',
          url: '/login',
          headers: { 'content-type': 'application/json' },
          payload,
        })
        assert.equal(response.statusCode, 422, payload)
      }
    })

    it('issues a different token on every login', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const user = await signUp(app)
      const tokens = new Set<string>()
      for (let i = 0; i < 5; i++) {
        const response = await app.inject({
          method: 'POST',
          url: '/login',
          payload: { email: user.email, password: user.password },
        })
        tokens.add((json(response) as { token: string }).token)
      }
      assert.equal(tokens.size, 5)
    })

    it('answers exactly 401 "Not authorized" to cross-user get and set, both directions', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const alice = await signUp(app)
      const bob = await signUp(app)
      for (const [me, other] of [
        [alice, bob],
        [bob, alice],
      ] as const) {
        await app.inject({
          method: 'POST',
          url: '/set_secret',
          headers: bearer(other.token),
          payload: { username: other.username, secret: `${other.username}-value` },
        })
        const get = await app.inject({
          method: 'GET',
          url: `/get_secret?username=${other.username}`,
          headers: bearer(me.token),
        })
        const set = await app.inject({
          method: 'POST',
          url: '/set_secret',
          headers: bearer(me.token),
          payload: { username: other.username, secret: 'overwritten' },
        })
        for (const response of [get, set]) {
          assert.equal(response.statusCode, 401)
          assert.deepEqual(json(response), { detail: 'Not authorized' })
          assert.doesNotMatch(response.body.toLowerCase(), /secret/)
        }
        const own = await app.inject({
          method: 'GET',
          url: `/get_secret?username=${other.username}`,
          headers: bearer(other.token),
        })
        assert.deepEqual(json(own), { secret: `${other.username}-value` })
      }
    })

    it('answers 401 to every missing or broken Authorization header', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const user = await signUp(app)
      const headers: Record<string, string>[] = [
        {},
        { authorization: '' },
        { authorization: 'Bearer' },
        { authorization: `Basic ${user.token}` },
        { authorization: user.token },
        { authorization: `Bearer ${user.token}x` },
        { authorization: `Bearer ${user.token.split('.').slice(0, 2).join('.')}.` },
        { authorization: 'Bearer a.b.c' },
        { authorization: `Bearer ${'A'.repeat(5000)}` },
      ]
      for (const header of headers) {
        for (const request of [
          { method: 'GET' as const, url: `/get_secret?username=${user.username}` },
          {
            method: 'POST' as const,
            url: '/set_secret',
            payload: { username: user.username, secret: 'x' },
          },
        ]) {
          const response = await app.inject({ ...request, headers: header })
          assert.equal(response.statusCode, 401, JSON.stringify(header))
          assert.deepEqual(json(response), { detail: 'Not authorized' })
        }
      }
    })

    it('refuses the token of a deleted user and a logged-out token', async (t) => {
      const environment = await buildTestApp(t, { dialect })
      const { app } = environment
      const { services, store } = openServices(environment)
      const gone = await signUp(app)
      const leaving = await signUp(app)

      const goneUser = await services.accounts.authenticate(gone.token)
      await deleteUserRow(store, goneUser.userId)

      const principal = await services.accounts.authenticate(leaving.token)
      await services.accounts.logout(principal, { clientIp: '127.0.0.1', userAgent: 'test' })

      for (const user of [gone, leaving]) {
        const response = await app.inject({
          method: 'GET',
          url: `/get_secret?username=${user.username}`,
          headers: bearer(user.token),
        })
        assert.equal(response.statusCode, 401)
        assert.deepEqual(json(response), { detail: 'Not authorized' })
      }
    })
  })
}
