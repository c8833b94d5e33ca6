import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import type { FastifyInstance, InjectOptions } from 'fastify'

import { buildTestApp, openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, json } from '../helpers/http.js'

/**
 * The Lock app's own README calls (docs/surfaces/3-lock.md), replayed as its Flask server
 * received them: GET or POST with a JSON body on /register and /login, the refusals in the
 * original's order, and the debug views in the original's columns.
 */
const UNLIMITED = { LOCK_RATE_LIMITS: '100000/second', LOCK_DEBUG_VIEWS: 'true' }
const SYSTEM = { clientIp: '', userAgent: 'test' }
const RFC_1123_GMT = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/

const call = (
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  token?: string,
) =>
  app.inject({
    method,
    url: `/lock${url}`,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : bearer(token)),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  })

for (const dialect of DIALECTS) {
  describe(`Lock surface: the original README's calls (${dialect})`, () => {
    for (const method of ['GET', 'POST'] as const) {
      it(`register and login with ${method} and a JSON body`, async (t) => {
        const { app } = await buildTestApp(t, { dialect, env: UNLIMITED })
        const user = {
          username: `readme${method}`,
          password: 'USER_PASSWORD',
          email: `readme-${method.toLowerCase()}@example.com`,
          phone: '0100',
          address: 'USER_ADDRESS',
        }
        const registered = await call(app, method, '/register', user)
        assert.equal(registered.statusCode, 200, registered.body)
        assert.deepEqual(json(registered), { msg: 'User registered successfully' })

        // Taken is checked before weak: the original answers "User already exists" here.
        const again = await call(app, method, '/register', { ...user, password: 'short' })
        assert.equal(again.statusCode, 400)
        assert.deepEqual(json(again), { msg: 'User already exists' })
        const weak = await call(app, method, '/register', {
          ...user,
          username: `${user.username}2`,
          email: undefined,
          password: 'short',
        })
        assert.equal(weak.statusCode, 400)
        assert.deepEqual(json(weak), { msg: 'Weak password' })
        const missing = await call(app, method, '/register', { username: 'x', password: '' })
        assert.deepEqual(json(missing), { msg: 'Missing password, phone, address' })

        const login = await call(app, method, '/login', {
          username: user.username,
          password: user.password,
        })
        assert.equal(login.statusCode, 200, login.body)
        assert.match((json(login) as { access_token: string }).access_token, /^ey/)
        const wrong = await call(app, method, '/login', {
          username: user.username,
          password: 'YOUR_PASSWORD',
        })
        assert.equal(wrong.statusCode, 401)
        assert.deepEqual(json(wrong), { msg: 'Invalid username or password' })
        const empty = await call(app, method, '/login')
        assert.equal(empty.statusCode, 400)
      })
    }

    it('logUnlocking, then the debug views in the original columns', async (t) => {
      const environment = await buildTestApp(t, { dialect, env: UNLIMITED })
      const { app } = environment
      const { services } = openServices(environment)
      const user = { username: 'unlocker', password: 'long-enough', phone: '555', address: 'Here' }
      assert.equal((await call(app, 'POST', '/register', user)).statusCode, 200)
      await services.accounts.setRole(user.username, 'admin', SYSTEM)
      const token = (json(await call(app, 'POST', '/login', user)) as { access_token: string })
        .access_token
      const unlock = await call(app, 'POST', '/logUnlocking', { 'unlocking-method': 'pin' }, token)
      assert.deepEqual(json(unlock), { msg: 'Unlocking process logged successfully' })
      const badToken = await call(app, 'POST', '/logUnlocking', { 'unlocking-method': 'pin' })
      assert.deepEqual(json(badToken), { msg: 'Missing Authorization Header' })

      const logs = json(await call(app, 'POST', '/getLogs', undefined, token)) as Record<
        string,
        Record<string, unknown>
      >
      const [id, log] = Object.entries(logs)[0] ?? []
      assert.ok(log !== undefined)
      assert.deepEqual(Object.keys(log).sort(), ['date_time', 'id', 'unlocking_method', 'username'])
      assert.equal(String(log.id), id)
      assert.equal(log.username, 'unlocker')
      assert.equal(log.unlocking_method, 'pin')
      assert.match(String(log.date_time), RFC_1123_GMT)

      const logPage = await call(app, 'GET', '/getLogs', undefined, token)
      assert.match(logPage.body, /ID +\| Username +\| Unlocking Method +\| Unlocking Date\/Time/)

      const users = json(await call(app, 'POST', '/getUsers', undefined, token)) as Record<
        string,
        Record<string, unknown>
      >
      const entry = Object.values(users).find((row) => row.username === 'unlocker')
      assert.ok(entry !== undefined)
      assert.deepEqual(Object.keys(entry).sort(), [
        'address',
        'id',
        'phone',
        'public_id',
        'username',
      ])
      assert.equal(entry.phone, '555')
      assert.match(String(entry.public_id), /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/)
      const usersPage = await call(app, 'GET', '/getUsers', undefined, token)
      assert.match(usersPage.body, /ID +\| Public ID +\| Username +\| Phone +\| Address/)
    })
  })
}
