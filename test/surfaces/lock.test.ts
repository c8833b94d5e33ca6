import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'

import type { FastifyInstance } from 'fastify'

import { buildTestApp, deleteUserRow, openServices } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, json } from '../helpers/http.js'

/** Rate limits out of the way, for the tests about everything else. */
const UNLIMITED = { LOCK_RATE_LIMITS: '100000/second' }
const SYSTEM = { clientIp: '', userAgent: 'test' }

let counter = 0
function lockUser(): { username: string; password: string; phone: string; address: string } {
  counter += 1
  return {
    username: `lock${counter}${Math.random().toString(36).slice(2, 7)}`,
    password: 'long-enough-pw',
    phone: '+1 555 0100',
    address: '1 Main St',
  }
}

async function register(app: FastifyInstance, payload: unknown) {
  return app.inject({ method: 'POST', url: '/lock/register', payload: JSON.stringify(payload) })
}

async function loginToken(
  app: FastifyInstance,
  user: { username: string; password: string },
): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/lock/login',
    payload: { username: user.username, password: user.password },
  })
  assert.equal(response.statusCode, 200, response.body)
  return (json(response) as { access_token: string }).access_token
}

for (const dialect of DIALECTS) {
  describe(`Lock surface (${dialect})`, () => {
    it('registers, logs in by username and logs an unlock as an audit event', async (t) => {
      const environment = await buildTestApp(t, { dialect, env: UNLIMITED })
      const { app } = environment
      const user = lockUser()
      const registered = await register(app, { ...user, email: `${user.username}@example.com` })
      assert.equal(registered.statusCode, 200)
      assert.deepEqual(json(registered), { msg: 'User registered successfully' })

      const token = await loginToken(app, user)
      const unlock = await app.inject({
        method: 'POST',
        url: '/lock/logUnlocking',
        headers: { ...bearer(token), 'user-agent': 'flatter-app/2.1' },
        payload: { 'unlocking-method': 'fingerprint' },
      })
      assert.equal(unlock.statusCode, 200)
      assert.deepEqual(json(unlock), { msg: 'Unlocking process logged successfully' })

      const { store, services } = openServices(environment)
      const event = await store.db
        .selectFrom('audit_events')
        .selectAll()
        .where('type', '=', 'lock.unlock')
        .executeTakeFirstOrThrow()
      assert.equal(event.details, '{"method":"fingerprint"}')
      assert.equal(event.user_agent, 'flatter-app/2.1')
      assert.equal((await services.audit.verify()).ok, true)
    })

    it('answers the documented 400s for register', async (t) => {
      const { app } = await buildTestApp(t, { dialect, env: UNLIMITED })
      const taken = lockUser()
      await register(app, taken)
      const cases: [unknown, string][] = [
        [{}, 'Missing username, password, phone, address'],
        [{ username: 'x', phone: '1' }, 'Missing password, address'],
        [{ ...lockUser(), address: '' }, 'Missing address'],
        [{ ...lockUser(), password: 'short' }, 'Weak password'],
        [{ ...lockUser(), username: taken.username.toUpperCase() }, 'User already exists'],
        [{ ...lockUser(), phone: 5550100 }, 'Invalid phone'],
        [[lockUser()], 'Invalid JSON format'],
        ['just text', 'Invalid JSON format'],
      ]
      for (const [payload, message] of cases) {
        const response = await register(app, payload)
        assert.equal(response.statusCode, 400, JSON.stringify(payload))
        assert.deepEqual(json(response), { msg: message }, JSON.stringify(payload))
      }
      const broken = await app.inject({
        method: 'POST',
        url: '/lock/register',
        headers: { 'content-type': 'application/json' },
        payload: '{"username": "a",',
      })
      assert.equal(broken.statusCode, 400)
      assert.deepEqual(json(broken), { msg: 'Invalid JSON format' })
    })

    it('answers the documented login errors, and lets users of other surfaces in', async (t) => {
      const { app } = await buildTestApp(t, { dialect, env: UNLIMITED })
      const user = lockUser()
      await register(app, user)
      const wrong = await app.inject({
        method: 'POST',
        url: '/lock/login',
        payload: { username: user.username, password: 'not-the-password' },
      })
      assert.equal(wrong.statusCode, 401)
      assert.deepEqual(json(wrong), { msg: 'Invalid username or password' })
      const missing = await app.inject({ method: 'POST', url: '/lock/login', payload: {} })
      assert.equal(missing.statusCode, 400)
      assert.deepEqual(json(missing), { msg: 'Missing username, password' })
      const half = await app.inject({
        method: 'POST',
        url: '/lock/login',
        payload: { password: 'x' },
      })
      assert.deepEqual(json(half), { msg: 'Missing username' })

      // Registered on surface 1, logs in here by username; and the other way round.
      await app.inject({
        method: 'POST',
        url: '/register',
        payload: { email: 'surface1@example.com', username: 'surface1user', password: 'abcd' },
      })
      assert.ok(await loginToken(app, { username: 'SURFACE1USER', password: 'abcd' }))
      await register(app, { ...lockUser(), username: 'lockonly', email: 'lockonly@example.com' })
      const there = await app.inject({
        method: 'POST',
        url: '/login',
        payload: { email: 'lockonly@example.com', password: 'long-enough-pw' },
      })
      assert.equal(there.statusCode, 200)
    })

    it('words every token problem on logUnlocking as flask-jwt-extended does', async (t) => {
      const clock = manualClock(new Date())
      const environment = await buildTestApp(t, {
        dialect,
        env: UNLIMITED,
        overrides: { clock },
      })
      const { app } = environment
      const { services, store } = openServices(environment)
      const user = lockUser()
      await register(app, user)
      const unlock = (
        headers: Record<string, string>,
        payload: unknown = { 'unlocking-method': 'pin' },
      ) =>
        app.inject({
          method: 'POST',
          url: '/lock/logUnlocking',
          headers,
          payload: JSON.stringify(payload),
        })

      const token = await loginToken(app, user)
      const [header, payload] = token.split('.') as [string, string]
      const forged = `${header}.${payload}.${createHmac('sha256', 'secret').update(`${header}.${payload}`).digest('base64url')}`
      const cases: [Record<string, string>, number, string][] = [
        [{}, 401, 'Missing Authorization Header'],
        [
          { authorization: `Token ${token}` },
          401,
          "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'",
        ],
        [bearer('garbage'), 422, 'Not enough segments'],
        [bearer(forged), 422, 'Signature verification failed'],
      ]
      for (const [headers, status, message] of cases) {
        const response = await unlock(headers)
        assert.equal(response.statusCode, status, message)
        assert.deepEqual(json(response), { msg: message })
      }

      const missingKey = await unlock(bearer(token), { method: 'pin' })
      assert.equal(missingKey.statusCode, 400)
      assert.deepEqual(json(missingKey), { msg: 'Missing unlocking-method' })

      const principal = await services.accounts.authenticate(token)
      await services.accounts.logout(principal, SYSTEM)
      const revoked = await unlock(bearer(token))
      assert.equal(revoked.statusCode, 401)
      assert.deepEqual(json(revoked), { msg: 'Token has been revoked' })

      const fresh = await loginToken(app, user)
      clock.advance(3601 * 1000)
      const expired = await unlock(bearer(fresh))
      assert.equal(expired.statusCode, 401)
      assert.deepEqual(json(expired), { msg: 'Token has expired' })

      const last = await loginToken(app, user)
      await deleteUserRow(store, principal.userId)
      const gone = await unlock(bearer(last))
      assert.equal(gone.statusCode, 400)
      assert.deepEqual(json(gone), { msg: 'There is an error with this token' })
    })

    it('answers 405 for wrong methods and 404 in its own dialect', async (t) => {
      const { app } = await buildTestApp(t, { dialect, env: UNLIMITED })
      const wrong = await app.inject({ method: 'PUT', url: '/lock/login' })
      assert.equal(wrong.statusCode, 405)
      assert.equal(wrong.headers.allow, 'GET, POST, HEAD')
      assert.deepEqual(json(wrong), { msg: 'Method Not Allowed' })
      const unknown = await app.inject({ method: 'GET', url: '/lock/nothing-here' })
      assert.equal(unknown.statusCode, 404)
      assert.deepEqual(json(unknown), { msg: 'Not Found' })
    })
  })
}

describe('Lock surface debug views', () => {
  it('are not served unless enabled', async (t) => {
    const { app } = await buildTestApp(t, { env: UNLIMITED })
    for (const method of ['GET', 'POST'] as const) {
      for (const url of ['/lock/getLogs', '/lock/getUsers']) {
        assert.equal((await app.inject({ method, url })).statusCode, 404)
      }
    }
  })

  it('serve administrators only, escape HTML, and never show a password hash', async (t) => {
    const environment = await buildTestApp(t, {
      env: { ...UNLIMITED, LOCK_DEBUG_VIEWS: 'true' },
    })
    const { app } = environment
    const { services, store } = openServices(environment)
    const admin = lockUser()
    const plain = { ...lockUser(), username: '<script>alert(1)</script>' }
    await register(app, admin)
    await register(app, plain)
    await services.accounts.setRole(admin.username, 'admin', SYSTEM)
    const adminToken = await loginToken(app, admin)
    const userToken = await loginToken(app, plain)
    await app.inject({
      method: 'POST',
      url: '/lock/logUnlocking',
      headers: bearer(userToken),
      payload: { 'unlocking-method': 'face' },
    })

    for (const url of ['/lock/getLogs', '/lock/getUsers']) {
      for (const method of ['GET', 'POST'] as const) {
        const anonymous = await app.inject({ method, url })
        assert.equal(anonymous.statusCode, 401)
        assert.deepEqual(json(anonymous), { msg: 'Missing Authorization Header' })
        const user = await app.inject({ method, url, headers: bearer(userToken) })
        assert.equal(user.statusCode, 403)
        assert.deepEqual(json(user), { msg: 'Administrators only' })
        const ok = await app.inject({ method, url, headers: bearer(adminToken) })
        assert.equal(ok.statusCode, 200, ok.body)
        assert.doesNotMatch(ok.body, /argon2|password/i)
      }
    }

    const usersPage = await app.inject({
      method: 'GET',
      url: '/lock/getUsers',
      headers: bearer(adminToken),
    })
    assert.match(String(usersPage.headers['content-type']), /^text\/html/)
    assert.match(usersPage.body, /<pre>/)
    assert.doesNotMatch(usersPage.body, /<script>/)
    assert.match(usersPage.body, /&#60;script&#62;/)
    assert.match(usersPage.body, /1 Main St/)

    const usersJson = json(
      await app.inject({ method: 'POST', url: '/lock/getUsers', headers: bearer(adminToken) }),
    ) as Record<string, { username: string; phone: string }>
    const entry = Object.values(usersJson).find((u) => u.username === plain.username)
    assert.equal(entry?.phone, plain.phone)
    const logs = json(
      await app.inject({ method: 'POST', url: '/lock/getLogs', headers: bearer(adminToken) }),
    ) as Record<string, { unlocking_method: string }>
    assert.deepEqual(
      Object.values(logs).map((log) => log.unlocking_method),
      ['face'],
    )

    const views = await store.db
      .selectFrom('audit_events')
      .select(['outcome'])
      .where('type', '=', 'admin.view')
      .execute()
    assert.equal(views.filter((view) => view.outcome === 'denied').length, 4)
    assert.equal(views.filter((view) => view.outcome === 'success').length, 7)
  })
})

describe('LOCK_PREFIX', () => {
  it('mounts the Lock surface elsewhere, or at / in place of the Secret Storage surface', async (t) => {
    const moved = await buildTestApp(t, { env: { ...UNLIMITED, LOCK_PREFIX: '/smartlock' } })
    const user = lockUser()
    const there = await moved.app.inject({
      method: 'POST',
      url: '/smartlock/register',
      payload: user,
    })
    assert.deepEqual(json(there), { msg: 'User registered successfully' })
    assert.equal(
      (await moved.app.inject({ method: 'POST', url: '/lock/register', payload: user })).statusCode,
      404,
    )

    const root = await buildTestApp(t, { env: { ...UNLIMITED, LOCK_PREFIX: '/' } })
    const registered = await root.app.inject({
      method: 'POST',
      url: '/register',
      payload: lockUser(),
    })
    assert.deepEqual(json(registered), { msg: 'User registered successfully' })
    const missing = await root.app.inject({ method: 'POST', url: '/login', payload: {} })
    assert.deepEqual(json(missing), { msg: 'Missing username, password' })
    assert.equal((await root.app.inject({ method: 'GET', url: '/get_secret' })).statusCode, 404)
  })
})
