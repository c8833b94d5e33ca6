import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildTestApp, openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, signUp } from '../helpers/http.js'

for (const dialect of DIALECTS) {
  describe(`audit log (${dialect})`, () => {
    it('records register, login success and failure, set, read, a refused read and logout', async (t) => {
      const environment = await buildTestApp(t, { dialect })
      const { app } = environment
      const { services, store } = openServices(environment)
      const user = await signUp(app)
      await app.inject({
        method: 'POST',
        url: '/login',
        payload: { email: user.email, password: 'wrong' },
        headers: { 'user-agent': 'audit-test/1.0' },
      })
      await app.inject({
        method: 'POST',
        url: '/set_secret',
        headers: bearer(user.token),
        payload: { username: user.username, secret: 'value' },
      })
      await app.inject({
        method: 'GET',
        url: `/get_secret?username=${user.username}`,
        headers: bearer(user.token),
      })
      await app.inject({
        method: 'GET',
        url: '/get_secret?username=someone-else',
        headers: bearer(user.token),
      })
      const principal = await services.accounts.authenticate(user.token)
      await services.accounts.logout(principal, { clientIp: '192.0.2.1', userAgent: 'cli' })

      const events = await store.db
        .selectFrom('audit_events')
        .select(['id', 'type', 'outcome', 'actor_id', 'client_ip', 'user_agent', 'details'])
        .orderBy('id')
        .execute()
      assert.deepEqual(
        events.map((event) => [event.type, event.outcome]),
        [
          ['user.register', 'success'],
          ['auth.login', 'success'],
          ['auth.login', 'failure'],
          ['personal-secret.set', 'success'],
          ['personal-secret.read', 'success'],
          ['personal-secret.read', 'denied'],
          ['auth.logout', 'success'],
        ],
      )
      assert.ok(events.every((event) => event.actor_id === principal.userId))
      const [failedLogin, logout] = [events[2], events[6]]
      assert.ok(failedLogin !== undefined && logout !== undefined)
      assert.equal(failedLogin.user_agent, 'audit-test/1.0')
      assert.equal(failedLogin.client_ip, '127.0.0.1')
      assert.equal(logout.client_ip, '192.0.2.1')
      const everything = JSON.stringify(events)
      for (const value of [user.password, 'wrong', 'value', user.token]) {
        assert.ok(!everything.includes(value), `audit rows hold ${value}`)
      }
      await services.audit.sequencer.flush()
      const verified = await services.audit.verify()
      assert.equal(verified.ok, true)
      assert.equal(verified.checked, 7)
      assert.equal(verified.signedSize, 7)
    })

    it('keeps one valid log when many requests append at once from two pools', async (t) => {
      const environment = await buildTestApp(t, { dialect })
      const { app } = environment
      const { services } = openServices(environment)
      const user = await signUp(app)
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          app.inject({
            method: 'POST',
            url: '/set_secret',
            headers: bearer(user.token),
            payload: { username: user.username, secret: `v${i}` },
          }),
        ),
      )
      // More appenders at once from a second connection pool, as another node would be.
      await Promise.all(
        Array.from({ length: 20 }, () =>
          services.audit.record({
            type: 'auth.logout',
            outcome: 'success',
            actorId: null,
            context: { clientIp: '', userAgent: 'second pool' },
          }),
        ),
      )
      await services.audit.sequencer.flush()
      const result = await services.audit.verify()
      assert.equal(result.ok, true, JSON.stringify(result.firstBreak))
      assert.equal(result.checked, 2 + 40 + 20)
      assert.equal(result.unsealed, 0)
    })
  })
}
