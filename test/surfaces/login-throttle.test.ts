import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildTestApp } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import { json, signUp } from '../helpers/http.js'

/** docs/architecture.md "Login throttling", through surface 1's /login. */
for (const dialect of DIALECTS) {
  describe(`login throttling (${dialect})`, () => {
    it('answers 429 with Retry-After once an account has 10 failures, even to the right password', async (t) => {
      const clock = manualClock()
      const { app } = await buildTestApp(t, { dialect, overrides: { clock } })
      const user = await signUp(app)
      const statuses: number[] = []
      for (let i = 0; i < 150; i++) {
        const response = await app.inject({
          method: 'POST',
          url: '/login',
          payload: { email: user.email, password: `wrong-${i}` },
        })
        statuses.push(response.statusCode)
      }
      assert.deepEqual(statuses.slice(0, 10), Array<number>(10).fill(401))
      assert.deepEqual(statuses.slice(10), Array<number>(140).fill(429))

      const right = await app.inject({
        method: 'POST',
        url: '/login',
        payload: { email: user.email, password: user.password },
      })
      assert.equal(right.statusCode, 429)
      assert.deepEqual(json(right), { detail: 'Too many attempts' })
      assert.equal(right.headers['retry-after'], '900')

      clock.advance(900_000)
      const later = await app.inject({
        method: 'POST',
        url: '/login',
        payload: { email: user.email, password: user.password },
      })
      assert.equal(later.statusCode, 200)
    })

    it('judges at most the limit of a concurrent burst, and refuses the right password inside it', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const user = await signUp(app)
      const login = (password: string) =>
        app.inject({ method: 'POST', url: '/login', payload: { email: user.email, password } })

      // Fifty wrong passwords at once. The right one goes out as soon as the first refusal comes
      // back (or, if none does, once the burst is over), while the judged ones may still be hashing.
      const wrong = Array.from({ length: 50 }, (_, i) => login(`wrong-${i}`))
      const firstRefusal = new Promise<void>((resolve) => {
        for (const response of wrong) {
          void response.then((answer) => {
            if (answer.statusCode === 429) resolve()
          })
        }
        void Promise.all(wrong).then(() => {
          resolve()
        })
      })
      await firstRefusal
      const right = await login(user.password)
      const statuses = (await Promise.all(wrong)).map((response) => response.statusCode)

      assert.equal(statuses.filter((status) => status === 401).length, 10, 'judged')
      assert.equal(statuses.filter((status) => status === 429).length, 40, 'refused unjudged')
      assert.equal(right.statusCode, 429)
      assert.equal((await login(user.password)).statusCode, 429)
    })

    it('throttles e-mails that do not exist exactly like real ones', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const statuses: number[] = []
      for (let i = 0; i < 12; i++) {
        const response = await app.inject({
          method: 'POST',
          url: '/login',
          payload: { email: 'Ghost@Example.com', password: `guess-${i}` },
        })
        statuses.push(response.statusCode)
      }
      assert.deepEqual(statuses, [...Array<number>(10).fill(401), 429, 429])
    })

    it('throttles one client address across accounts, and not its neighbours', async (t) => {
      const { app } = await buildTestApp(t, {
        dialect,
        env: { LOGIN_MAX_FAILURES_PER_IP: '5' },
      })
      const user = await signUp(app)
      const attempt = (email: string, password: string, remoteAddress: string) =>
        app.inject({ method: 'POST', url: '/login', payload: { email, password }, remoteAddress })

      for (let i = 0; i < 5; i++) {
        const response = await attempt(`victim${i}@example.com`, 'guess', '203.0.113.7')
        assert.equal(response.statusCode, 401)
      }
      assert.equal((await attempt(user.email, user.password, '203.0.113.7')).statusCode, 429)
      assert.equal((await attempt(user.email, user.password, '203.0.113.8')).statusCode, 200)
    })

    it('clears an account’s count after a correct login', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const user = await signUp(app)
      const login = (password: string) =>
        app.inject({ method: 'POST', url: '/login', payload: { email: user.email, password } })
      for (let i = 0; i < 9; i++) assert.equal((await login('wrong')).statusCode, 401)
      assert.equal((await login(user.password)).statusCode, 200)
      for (let i = 0; i < 9; i++) assert.equal((await login('wrong')).statusCode, 401)
      assert.equal((await login(user.password)).statusCode, 200)
    })
  })
}
