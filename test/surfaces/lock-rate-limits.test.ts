import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import type { FastifyInstance } from 'fastify'

import { buildTestApp } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { json } from '../helpers/http.js'

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379'

/** A login attempt that never succeeds: only the limiter decides between 401 and 429. */
const attempt = (
  app: FastifyInstance,
  options: { ip?: string; xff?: string; username?: string } = {},
) =>
  app.inject({
    method: 'POST',
    url: '/lock/login',
    payload: { username: options.username ?? 'nobody', password: 'whatever' },
    ...(options.ip === undefined ? {} : { remoteAddress: options.ip }),
    ...(options.xff === undefined ? {} : { headers: { 'x-forwarded-for': options.xff } }),
  })

describe('Lock surface rate limits', () => {
  it('trip at exactly 1/second, 5/minute and 10/hour, before anything else', async (t) => {
    const clock = manualClock()
    const { app } = await buildTestApp(t, { overrides: { clock } })

    assert.equal((await attempt(app)).statusCode, 401)
    const second = await attempt(app)
    assert.equal(second.statusCode, 429)
    assert.deepEqual(json(second), { error: 'ratelimit exceeded' })
    assert.equal(second.headers['retry-after'], '1')

    // Checked before the body is read: even invalid JSON is refused with 429, not 400.
    const garbage = await app.inject({
      method: 'POST',
      url: '/lock/login',
      headers: { 'content-type': 'application/json' },
      payload: '{',
    })
    assert.equal(garbage.statusCode, 429)

    // The minute now holds 3; two more pass, one per second, then the minute is spent.
    for (let i = 0; i < 2; i++) {
      clock.advance(1000)
      assert.equal((await attempt(app)).statusCode, 401)
    }
    clock.advance(1000)
    assert.equal((await attempt(app)).statusCode, 429)

    // Next minute: the hour has counted 6; four more pass, then the hour is spent.
    clock.advance(60_000)
    for (let i = 0; i < 4; i++) {
      assert.equal((await attempt(app)).statusCode, 401, `attempt ${i} of the second minute`)
      clock.advance(1000)
    }
    clock.advance(60_000)
    const hour = await attempt(app)
    assert.equal(hour.statusCode, 429)
    assert.ok(Number(hour.headers['retry-after']) > 3000)

    // Another route has its own counter; another address its own too.
    const register = await app.inject({ method: 'POST', url: '/lock/register', payload: {} })
    assert.equal(register.statusCode, 400)
    assert.equal((await attempt(app, { ip: '198.51.100.20' })).statusCode, 401)
  })

  it('count every method of a route in one counter', async (t) => {
    const { app } = await buildTestApp(t, { overrides: { clock: manualClock() } })
    assert.equal((await app.inject({ method: 'GET', url: '/lock/logUnlocking' })).statusCode, 405)
    const post = await app.inject({ method: 'POST', url: '/lock/logUnlocking' })
    assert.equal(post.statusCode, 429)
  })

  it('ignore a spoofed X-Forwarded-For when no proxy is trusted', async (t) => {
    const { app } = await buildTestApp(t, { overrides: { clock: manualClock() } })
    assert.equal((await attempt(app, { xff: '203.0.113.1' })).statusCode, 401)
    assert.equal((await attempt(app, { xff: '203.0.113.2' })).statusCode, 429)
    assert.equal((await attempt(app, { xff: '203.0.113.3, 10.0.0.1' })).statusCode, 429)
  })

  it('believe X-Forwarded-For from a trusted proxy only', async (t) => {
    const { app } = await buildTestApp(t, {
      env: { TRUST_PROXY: '10.0.0.0/8' },
      overrides: { clock: manualClock() },
    })
    const viaProxy = (client: string) => attempt(app, { ip: '10.1.2.3', xff: client })
    assert.equal((await viaProxy('203.0.113.1')).statusCode, 401)
    assert.equal((await viaProxy('203.0.113.1')).statusCode, 429)
    assert.equal((await viaProxy('203.0.113.2')).statusCode, 401, 'a different client')
    // Not from the proxy: the header is a lie and the peer address counts.
    assert.equal((await attempt(app, { ip: '192.0.2.50', xff: '203.0.113.9' })).statusCode, 401)
    assert.equal((await attempt(app, { ip: '192.0.2.50', xff: '203.0.113.10' })).statusCode, 429)
  })

  it('are shared by two nodes through Redis', async (t) => {
    const clock = manualClock()
    // A fresh client and account per run: Redis outlives the test, and its counters outlive every
    // run on this machine for their window. Every run's manual clock stands at the same instant,
    // so a fixed username met the account's login throttle (10 failures in 15 minutes) from
    // earlier runs and answered 429 before the Lock limit was reached. An IPv6 client counts by
    // its /64 (IPV6_CLIENT_PREFIX): 32 random bits of prefix.
    const ip = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`
    const username = `nobody-${randomBytes(8).toString('hex')}`
    const env = { REDIS_URL, LOCK_RATE_LIMITS: '3/minute' }
    const nodeA = await buildTestApp(t, { env, overrides: { clock } })
    const nodeB = await buildTestApp(t, {
      env: { ...env, DATA_DIR: nodeA.dataDir },
      overrides: { clock },
    })
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const node = i % 2 === 0 ? nodeA.app : nodeB.app
      statuses.push((await attempt(node, { ip, username })).statusCode)
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429])
  })
})
