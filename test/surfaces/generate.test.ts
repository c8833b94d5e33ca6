import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'

import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

import { buildTestApp, openServices } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import { json } from '../helpers/http.js'

const NOT_FOUND = { detail: 'Secret not found' }

async function generate(app: FastifyInstance, payload: Record<string, unknown>): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/generate', payload })
  assert.equal(response.statusCode, 200, response.body)
  assert.equal(response.headers['cache-control'], 'no-cache, no-store, must-revalidate')
  const { secret_key } = json(response) as { secret_key: string }
  return secret_key
}

const byQuery = (
  app: FastifyInstance,
  key: string,
  passphrase: string,
): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'GET', url: `/secrets/${key}?passphrase=${encodeURIComponent(passphrase)}` })

const byBody = (
  app: FastifyInstance,
  key: string,
  passphrase: string,
): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'POST', url: `/secrets/${key}`, payload: { passphrase } })

for (const dialect of DIALECTS) {
  describe(`Generate surface (${dialect})`, () => {
    const build = (t: TestContext, options: Parameters<typeof buildTestApp>[1] = {}) =>
      buildTestApp(t, { dialect, ...options })

    it('runs the documented flow: generate, read once with the passphrase, then 404', async (t) => {
      const { app } = await build(t)
      const key = await generate(app, { secret: 'my_secret', passphrase: 'my_passphrase' })
      assert.match(key, /^[0-9a-f]{32}$/)
      const read = await byQuery(app, key, 'my_passphrase')
      assert.equal(read.statusCode, 200)
      assert.deepEqual(json(read), { secret: 'my_secret' })
      assert.match(String(read.headers['cache-control']), /no-store/)
      for (const again of [
        await byQuery(app, key, 'my_passphrase'),
        await byBody(app, key, 'my_passphrase'),
      ]) {
        assert.equal(again.statusCode, 404)
        assert.deepEqual(json(again), NOT_FOUND)
      }
    })

    it('reads with the passphrase in a POST body as well', async (t) => {
      const { app } = await build(t)
      const key = await generate(app, { secret: 'another_secret', passphrase: 'p & q ?=#' })
      const read = await byBody(app, key, 'p & q ?=#')
      assert.deepEqual(json(read), { secret: 'another_secret' })
      assert.deepEqual(json(await byQuery(app, key, 'p & q ?=#')), NOT_FOUND)
    })

    it('keeps unicode, empty and large secrets, and any passphrase, exactly', async (t) => {
      const { app } = await build(t)
      for (const [secret, passphrase] of [
        ['', ''],
        ['ключ 🔑 秘密\n\t"quoted"', 'пароль 🔐'],
        ['x'.repeat(60_000), 'y'.repeat(1024)],
      ] as const) {
        const key = await generate(app, { secret, passphrase, ttl_seconds: null })
        assert.deepEqual(json(await byBody(app, key, passphrase)), { secret })
      }
    })

    it('answers a wrong passphrase like an unknown key and keeps the secret until the fifth', async (t) => {
      const environment = await build(t)
      const { app } = environment
      const key = await generate(app, { secret: 'kept', passphrase: 'right' })
      for (let i = 0; i < 4; i++) {
        const wrong =
          i % 2 === 0 ? await byQuery(app, key, `w${i}`) : await byBody(app, key, `w${i}`)
        assert.equal(wrong.statusCode, 404)
        assert.deepEqual(json(wrong), NOT_FOUND)
      }
      assert.deepEqual(json(await byQuery(app, key, 'right')), { secret: 'kept' })

      const doomed = await generate(app, { secret: 'doomed', passphrase: 'right' })
      for (let i = 0; i < 5; i++) assert.equal((await byBody(app, doomed, `w${i}`)).statusCode, 404)
      assert.deepEqual(json(await byBody(app, doomed, 'right')), NOT_FOUND)

      const { store } = openServices(environment)
      const events = await store.db
        .selectFrom('audit_events')
        .select(['type', 'target_type', 'client_ip', 'user_agent'])
        .where('type', 'in', ['one-time.passphrase', 'one-time.destroy'])
        .orderBy('id')
        .execute()
      assert.equal(events.filter((event) => event.type === 'one-time.passphrase').length, 9)
      assert.equal(events.at(-1)?.type, 'one-time.destroy')
      assert.ok(events.every((event) => event.target_type === 'one-time-generate'))
      assert.ok(events.every((event) => event.client_ip === '127.0.0.1'))
    })

    it('does not count requests refused with 422 as attempts', async (t) => {
      const { app } = await build(t)
      const key = await generate(app, { secret: 's', passphrase: 'right' })
      const refused = [
        await app.inject({ method: 'GET', url: `/secrets/${key}` }),
        await app.inject({ method: 'POST', url: `/secrets/${key}`, payload: {} }),
        await app.inject({ method: 'POST', url: `/secrets/${key}`, payload: { passphrase: 5 } }),
        await app.inject({ method: 'POST', url: `/secrets/${key}`, payload: { passphrase: null } }),
        await app.inject({
          method: 'POST',
          url: `/secrets/${key}`,
          headers: { 'content-type': 'application/json' },
          payload: '{"passphrase": ',
        }),
        await byBody(app, key, 'x'.repeat(1025)),
        await byQuery(app, key, 'x'.repeat(1025)),
      ]
      for (const response of refused) {
        assert.equal(response.statusCode, 422, response.body)
        assert.ok(Array.isArray((json(response) as { detail: unknown }).detail))
      }
      for (let i = 0; i < 4; i++) await byBody(app, key, `w${i}`)
      assert.deepEqual(json(await byBody(app, key, 'right')), { secret: 's' })
    })

    it('answers 422 for a missing or mistyped field on /generate', async (t) => {
      const { app } = await build(t)
      for (const payload of [
        {},
        { secret: 's' },
        { passphrase: 'p' },
        { secret: 's', passphrase: null },
        { secret: 1, passphrase: 'p' },
        { secret: 's', passphrase: 'p', ttl_seconds: -5 },
        { secret: 's', passphrase: 'p', ttl_seconds: 'soon' },
        [],
      ]) {
        const response = await app.inject({
          method: 'POST',
          url: '/generate',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        })
        assert.equal(response.statusCode, 422, JSON.stringify(payload))
        assert.ok(Array.isArray((json(response) as { detail: unknown }).detail))
      }
    })

    it('answers malformed and unknown keys with 404, never 422 or 500', async (t) => {
      const { app } = await build(t)
      const key = await generate(app, { secret: 's', passphrase: 'p' })
      for (const candidate of [
        'nope',
        key.slice(1),
        `${key}0`,
        key.replace(/^./, 'g'),
        '00000000-0000-4000-8000-000000000000',
        '%00',
        'x'.repeat(3000),
        randomBytes(16).toString('hex'),
      ]) {
        for (const response of [
          await byQuery(app, candidate, 'p'),
          await byBody(app, candidate, 'p'),
        ]) {
          assert.equal(response.statusCode, 404, candidate)
          assert.deepEqual(json(response), NOT_FOUND)
        }
      }
      // None of that spent an attempt on the real key; upper case finds it too.
      assert.deepEqual(json(await byBody(app, key.toUpperCase(), 'p')), { secret: 's' })
    })

    it('expires exactly at ttl_seconds by the injected clock', async (t) => {
      const clock = manualClock()
      const { app } = await build(t, { overrides: { clock } })
      const early = await generate(app, { secret: 'early', passphrase: 'p', ttl_seconds: 30 })
      const late = await generate(app, { secret: 'late', passphrase: 'p', ttl_seconds: 30 })
      clock.advance(29_999)
      assert.deepEqual(json(await byBody(app, early, 'p')), { secret: 'early' })
      clock.advance(1)
      assert.deepEqual(json(await byBody(app, late, 'p')), NOT_FOUND)
    })

    it('refuses other methods with 405, and a HEAD never spends an attempt', async (t) => {
      const { app } = await build(t, { env: { ONE_TIME_MAX_ATTEMPTS: '1' } })
      const key = await generate(app, { secret: 's', passphrase: 'p' })
      for (const [method, url, allow] of [
        ['HEAD', `/secrets/${key}?passphrase=wrong`, 'GET, POST'],
        ['DELETE', `/secrets/${key}`, 'GET, POST'],
        ['GET', '/generate', 'POST'],
      ] as const) {
        const response = await app.inject({ method, url })
        assert.equal(response.statusCode, 405, `${method} ${url}`)
        assert.equal(response.headers.allow, allow)
      }
      assert.deepEqual(json(await byBody(app, key, 'p')), { secret: 's' })
    })
  })
}
