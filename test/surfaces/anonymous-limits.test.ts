import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'

import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

import { buildTestApp } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import { json, newIdentity } from '../helpers/http.js'

/** The web app's pages send their own origin (see test/web-app). */
const ORIGIN = 'http://localhost:80'
const CIPHERTEXT = `v1.${'A'.repeat(16)}.${'B'.repeat(40)}`

const FASTAPI_429 = { detail: 'Too many attempts' }

/** Asserts a 429 with this body and a Retry-After of at least a second. */
function assertLimited(response: LightMyRequestResponse, body: unknown): void {
  assert.equal(response.statusCode, 429, response.body)
  assert.deepEqual(json(response), body)
  assert.ok(Number(response.headers['retry-after']) >= 1, String(response.headers['retry-after']))
}

const post = (app: FastifyInstance, url: string, payload: unknown, ip?: string) =>
  app.inject({
    method: 'POST',
    url,
    payload: payload as Record<string, unknown>,
    headers: { origin: ORIGIN },
    ...(ip === undefined ? {} : { remoteAddress: ip }),
  })

const generate = (app: FastifyInstance, ip?: string) =>
  post(app, '/generate', { secret: 's', passphrase: 'p' }, ip)

for (const dialect of DIALECTS) {
  describe(`Per-client limits on anonymous hashing (${dialect})`, () => {
    /** Two hashes a minute per client; creation itself unlimited. */
    const build = (t: TestContext, env: Record<string, string> = {}) =>
      buildTestApp(t, {
        dialect,
        env: { ANONYMOUS_HASH_RATE_LIMITS: '2/minute', ...env },
        overrides: { clock: manualClock() },
      })

    it('refuses the third registration a minute on surface 1 in its dialect', async (t) => {
      const { app } = await build(t)
      for (let i = 0; i < 2; i++) {
        assert.equal((await post(app, '/register', newIdentity())).statusCode, 201)
      }
      assertLimited(await post(app, '/register', newIdentity()), FASTAPI_429)
      // Another client has its own budget.
      assert.equal((await post(app, '/register', newIdentity(), '198.51.100.7')).statusCode, 201)
    })

    it('refuses on surface 2 and through the web app in their dialects', async (t) => {
      const { app } = await build(t)
      const register = () => {
        const { email, password } = newIdentity()
        return post(app, '/v1/auth/register', { email, password: `${password}-long-enough` })
      }
      assert.equal((await register()).statusCode, 201)
      assert.equal((await register()).statusCode, 201)
      assertLimited(await register(), { error: 'Too many requests, try again later' })
      // The web app's registration is surface 2's, with its answer and its Retry-After.
      const { email, password } = newIdentity()
      const proxied = await post(app, '/app/api/v1', {
        method: 'POST',
        path: '/auth/register',
        body: { email, password: `${password}-long-enough` },
      })
      assertLimited(proxied, { error: 'Too many requests, try again later' })
    })

    it('shares one budget between registration and passphrases on every surface', async (t) => {
      const { app } = await build(t, { ANONYMOUS_HASH_RATE_LIMITS: '4/minute' })
      assert.equal((await post(app, '/register', newIdentity())).statusCode, 201)
      const created = await generate(app)
      assert.equal(created.statusCode, 200)
      const { secret_key } = json(created) as { secret_key: string }
      // A secret without a passphrase hashes nothing and spends nothing.
      const plain = await post(app, '/api/secret', { secret: 'no passphrase' })
      assert.equal(plain.statusCode, 200)
      const guarded = await post(app, '/api/secret', { secret: 's', passphrase: 'p' })
      assert.equal(guarded.statusCode, 200)
      // Revealing hashes the passphrase: the fourth hash passes, the fifth is refused.
      const revealed = await post(app, `/secrets/${secret_key}`, { passphrase: 'p' })
      assert.equal(revealed.statusCode, 200)
      assertLimited(await generate(app), FASTAPI_429)
      assertLimited(await post(app, `/secrets/${secret_key}`, { passphrase: 'p' }), FASTAPI_429)
      assertLimited(
        await app.inject({ method: 'GET', url: `/secrets/${secret_key}?passphrase=p` }),
        FASTAPI_429,
      )
      assertLimited(await post(app, '/api/secret', { secret: 's', passphrase: 'p' }), FASTAPI_429)
      const { secret_key: apiKey } = json(guarded) as { secret_key: string }
      assertLimited(
        await app.inject({ method: 'DELETE', url: `/api/secret/${apiKey}?passphrase=p` }),
        FASTAPI_429,
      )
      assertLimited(
        await post(app, '/app/api/links', {
          ciphertext: CIPHERTEXT,
          passphrase: 'p',
          ttl_seconds: 60,
        }),
        {
          error: 'rate_limited',
          retry_after: 60,
        },
      )
      // Without a passphrase the one-time routes still answer.
      assert.equal((await post(app, '/api/secret', { secret: 'still fine' })).statusCode, 200)
      assert.equal(
        (await post(app, '/app/api/links', { ciphertext: CIPHERTEXT, ttl_seconds: 60 })).statusCode,
        200,
      )
    })
  })

  describe(`Per-client limits on creating one-time secrets (${dialect})`, () => {
    it('count surfaces 4, 5 and the web app together, each answering in its dialect', async (t) => {
      const clock = manualClock()
      const { app } = await buildTestApp(t, {
        dialect,
        env: { ONE_TIME_CREATE_RATE_LIMITS: '3/minute' },
        overrides: { clock },
      })
      assert.equal((await post(app, '/api/secret', { secret: 'a' })).statusCode, 200)
      assert.equal((await generate(app)).statusCode, 200)
      assert.equal(
        (await post(app, '/app/api/links', { ciphertext: CIPHERTEXT, ttl_seconds: 60 })).statusCode,
        200,
      )
      assertLimited(await post(app, '/api/secret', { secret: 'b' }), FASTAPI_429)
      assertLimited(await generate(app), FASTAPI_429)
      assertLimited(
        await post(app, '/app/api/links', { ciphertext: CIPHERTEXT, ttl_seconds: 60 }),
        {
          error: 'rate_limited',
          retry_after: 60,
        },
      )
      // Another client creates; the window's end reopens the door.
      assert.equal(
        (await post(app, '/api/secret', { secret: 'c' }, '198.51.100.8')).statusCode,
        200,
      )
      clock.advance(60_000)
      assert.equal((await post(app, '/api/secret', { secret: 'd' })).statusCode, 200)
    })
  })

  describe(`Live-byte quotas on one-time secrets (${dialect})`, () => {
    it('answer a full quota with 429 and Retry-After in the dialect of each surface', async (t) => {
      // Room for one secret of this client, told to come back when it expires.
      const { app } = await buildTestApp(t, {
        dialect,
        env: { ONE_TIME_MAX_LIVE_BYTES_PER_CLIENT: '60' },
        overrides: { clock: manualClock() },
      })
      const kept = await post(app, '/api/secret', { secret: 'fits', ttl_seconds: 90 })
      assert.equal(kept.statusCode, 200)
      const refused = await post(app, '/api/secret', { secret: 'no room' })
      assertLimited(refused, FASTAPI_429)
      assert.equal(refused.headers['retry-after'], '90')
      assertLimited(await generate(app), FASTAPI_429)
      assertLimited(
        await post(app, '/app/api/links', { ciphertext: CIPHERTEXT, ttl_seconds: 60 }),
        {
          error: 'rate_limited',
          retry_after: 90,
        },
      )
      // Reading the secret gives its room back.
      const { secret_key } = json(kept) as { secret_key: string }
      const read = await app.inject({ method: 'GET', url: `/api/secret/${secret_key}` })
      assert.equal(read.statusCode, 200)
      assert.equal((await post(app, '/api/secret', { secret: 'fits now' })).statusCode, 200)
    })
  })
}
