import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildTestApp } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, signUp } from '../helpers/http.js'
import { signUpV1 } from '../helpers/v1.js'

/** A fresh address inside 2001:db8:77:1::/64 for each `i`: what one IPv6 subscriber can rotate. */
const inOne64 = (i: number): string => `2001:db8:77:1:${(i + 1).toString(16)}:${i}:beef:${i}`
const OTHER_64 = '2001:db8:77:2::1'

/**
 * Per-client limits count an IPv6 network (IPV6_CLIENT_PREFIX, a /64 by default) as one client,
 * and an IPv4-mapped address as its IPv4 address: rotating addresses buys no fresh counters.
 */
for (const dialect of DIALECTS) {
  describe(`per-client limits over IPv6 (${dialect})`, () => {
    it('Lock rate limits count a whole /64 as one client', async (t) => {
      const { app } = await buildTestApp(t, { dialect, env: { LOCK_RATE_LIMITS: '3/minute' } })
      const login = (remoteAddress: string) =>
        app.inject({
          method: 'POST',
          url: '/lock/login',
          payload: { username: 'nobody', password: 'x' },
          remoteAddress,
        })
      for (let i = 0; i < 3; i++) assert.notEqual((await login(inOne64(i))).statusCode, 429)
      const fourth = await login(inOne64(3))
      assert.equal(fourth.statusCode, 429)
      assert.deepEqual(fourth.json(), { error: 'ratelimit exceeded' })
      assert.notEqual((await login(OTHER_64)).statusCode, 429, 'another /64 is another client')

      // IPv4 and its IPv4-mapped spelling are one client.
      for (let i = 0; i < 3; i++) assert.notEqual((await login('198.51.100.4')).statusCode, 429)
      assert.equal((await login('::ffff:198.51.100.4')).statusCode, 429)
    })

    it('IPV6_CLIENT_PREFIX=128 counts each address apart', async (t) => {
      const { app } = await buildTestApp(t, {
        dialect,
        env: { LOCK_RATE_LIMITS: '1/minute', IPV6_CLIENT_PREFIX: '128' },
      })
      for (let i = 0; i < 3; i++) {
        const response = await app.inject({
          method: 'POST',
          url: '/lock/login',
          payload: { username: 'nobody', password: 'x' },
          remoteAddress: inOne64(i),
        })
        assert.notEqual(response.statusCode, 429)
      }
    })

    it('the per-address login throttle counts a whole /64 as one client', async (t) => {
      const { app } = await buildTestApp(t, {
        dialect,
        env: { LOGIN_MAX_FAILURES_PER_IP: '5' },
      })
      const user = await signUp(app)
      const attempt = (email: string, password: string, remoteAddress: string) =>
        app.inject({ method: 'POST', url: '/login', payload: { email, password }, remoteAddress })
      for (let i = 0; i < 5; i++) {
        assert.equal((await attempt(`victim${i}@example.com`, 'guess', inOne64(i))).statusCode, 401)
      }
      assert.equal((await attempt(user.email, user.password, inOne64(99))).statusCode, 429)
      assert.equal((await attempt(user.email, user.password, OTHER_64)).statusCode, 200)
    })

    it('the e-mail lookup counts a whole /64 as one client', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      // Two accounts take turns, so neither reaches its own limit of 30 a minute.
      const users = [await signUpV1(app, 'looker-a'), await signUpV1(app, 'looker-b')]
      const lookup = (i: number) =>
        app.inject({
          method: 'GET',
          url: `/v1/users?email=${encodeURIComponent('someone@example.com')}`,
          headers: bearer(users[i % 2]?.token ?? ''),
          remoteAddress: inOne64(i),
        })
      for (let i = 0; i < 30; i++) assert.notEqual((await lookup(i)).statusCode, 429, `lookup ${i}`)
      assert.equal((await lookup(30)).statusCode, 429)
    })
  })
}
