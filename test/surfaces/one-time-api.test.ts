import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'

import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

import { buildTestApp, openServices } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import type { TestDialect } from '../helpers/dialects.js'
import { bearer, json, signUp } from '../helpers/http.js'

const NO_CACHE = 'no-cache, no-store, must-revalidate'
const NOT_FOUND = { detail: 'Secret not found' }
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
/** Audit event ids: time-ordered UUIDs (version 7). */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

async function create(
  app: FastifyInstance,
  payload: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/secret', payload, headers })
  assert.equal(response.statusCode, 200, response.body)
  const { secret_key } = json(response) as { secret_key: string }
  return secret_key
}

const read = (app: FastifyInstance, key: string): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'GET', url: `/api/secret/${key}` })

const remove = (app: FastifyInstance, key: string, passphrase?: string) =>
  app.inject({
    method: 'DELETE',
    url: `/api/secret/${key}${passphrase === undefined ? '' : `?passphrase=${encodeURIComponent(passphrase)}`}`,
  })

/** A signed-up user made admin through the domain (what `strongroom admin grant` does). */
async function admin(environment: Awaited<ReturnType<typeof buildTestApp>>) {
  const user = await signUp(environment.app)
  const { services } = openServices(environment)
  await services.accounts.setRole(user.username, 'admin', { clientIp: '', userAgent: 'test' })
  return user
}

for (const dialect of DIALECTS) {
  describe(`One-time surface (${dialect})`, () => {
    const build = (t: TestContext, options: Parameters<typeof buildTestApp>[1] = {}) =>
      buildTestApp(t, { dialect: dialect satisfies TestDialect, ...options })

    it('runs the documented flow: create, read once, then 404', async (t) => {
      const { app } = await build(t)
      const created = await app.inject({
        method: 'POST',
        url: '/api/secret',
        payload: { secret: 'my-secret', passphrase: 'your-passphrase', ttl_seconds: 3600 },
      })
      assert.equal(created.statusCode, 200)
      assert.equal(created.headers['cache-control'], NO_CACHE)
      const { secret_key } = json(created) as { secret_key: string }
      assert.match(secret_key, UUID_V4)
      assert.deepEqual(Object.keys(json(created) as object), ['secret_key'])

      const first = await read(app, secret_key)
      assert.equal(first.statusCode, 200)
      assert.deepEqual(json(first), { secret: 'my-secret' })
      assert.equal(first.headers['cache-control'], NO_CACHE)
      for (let i = 0; i < 3; i++) {
        const again = await read(app, secret_key)
        assert.equal(again.statusCode, 404)
        assert.deepEqual(json(again), NOT_FOUND)
        assert.equal(again.headers['cache-control'], NO_CACHE)
      }
    })

    it('keeps unicode, empty and large secrets exactly, and accepts null options', async (t) => {
      const { app } = await build(t)
      for (const secret of ['', 'ключ 🔑 秘密\n\t"quoted"', 'x'.repeat(60_000)]) {
        const key = await create(app, { secret, passphrase: null, ttl_seconds: null })
        assert.deepEqual(json(await read(app, key)), { secret })
      }
    })

    it('answers malformed bodies with 422 in FastAPI shape', async (t) => {
      const { app } = await build(t)
      const cases: unknown[] = [
        {},
        { passphrase: 'p' },
        { secret: null },
        { secret: 42 },
        { secret: 's', ttl_seconds: -1 },
        { secret: 's', ttl_seconds: 1.5 },
        { secret: 's', ttl_seconds: '60' },
        { secret: 's', passphrase: 7 },
        { secret: 'x'.repeat(65_537) },
        [{ secret: 's' }],
        'text',
      ]
      for (const payload of cases) {
        const response = await app.inject({
          method: 'POST',
          url: '/api/secret',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        })
        assert.ok([413, 422].includes(response.statusCode), JSON.stringify(payload))
        if (response.statusCode === 422) {
          assert.ok(Array.isArray((json(response) as { detail: unknown }).detail))
        }
        assert.equal(response.headers['cache-control'], NO_CACHE)
      }
      const negative = await app.inject({
        method: 'POST',
        url: '/api/secret',
        payload: { secret: 's', ttl_seconds: -1 },
      })
      assert.deepEqual(json(negative), {
        detail: [{ type: 'range', loc: ['body', 'ttl_seconds'], msg: 'Input is out of range' }],
      })
    })

    it('answers every malformed or unknown key with 404 "Secret not found", never 422 or 500', async (t) => {
      const { app } = await build(t)
      const key = await create(app, { secret: 's' })
      const bad = [
        'nope',
        '0',
        '-1',
        'null',
        `${key}x`,
        key.slice(1),
        key.replace(/-/g, ''),
        `{${key}}`,
        '%00',
        '..%2F..%2Fetc%2Fpasswd',
        "'%20OR%201=1%20--",
        'x'.repeat(5000),
        randomUUID(),
      ]
      for (const candidate of bad) {
        for (const response of [await read(app, candidate), await remove(app, candidate, 'p')]) {
          assert.equal(response.statusCode, 404, candidate)
          assert.deepEqual(json(response), NOT_FOUND, candidate)
        }
      }
      // A key the router cannot even decode: a 404 that echoes nothing of the URL.
      const undecodable = await app.inject({
        method: 'DELETE',
        url: '/api/secret/%zz?passphrase=EchoMarker',
      })
      assert.equal(undecodable.statusCode, 404)
      assert.deepEqual(json(undecodable), { detail: 'Not Found' })
      assert.equal(undecodable.headers['x-content-type-options'], 'nosniff')
      assert.doesNotMatch(undecodable.body, /EchoMarker|FST_/)
      // The secret survived all of that, and its key is case-insensitive like a UUID.
      assert.deepEqual(json(await read(app, key.toUpperCase())), { secret: 's' })
    })

    it('expires exactly at ttl_seconds by the injected clock', async (t) => {
      const clock = manualClock()
      const { app } = await build(t, { overrides: { clock } })
      const early = await create(app, { secret: 'early', ttl_seconds: 60 })
      const late = await create(app, { secret: 'late', ttl_seconds: 60 })
      const deletable = await create(app, { secret: 'd', ttl_seconds: 60 })
      clock.advance(59_999)
      assert.deepEqual(json(await read(app, early)), { secret: 'early' })
      clock.advance(1)
      assert.deepEqual(json(await read(app, late)), NOT_FOUND)
      const removed = await remove(app, deletable)
      assert.equal(removed.statusCode, 404)
      assert.deepEqual(json(removed), NOT_FOUND)
    })

    it('deletes a secret without a passphrase for anyone with the link', async (t) => {
      const { app } = await build(t)
      const key = await create(app, { secret: 's' })
      const deleted = await remove(app, key)
      assert.equal(deleted.statusCode, 200)
      assert.equal(deleted.body, '')
      assert.equal(deleted.headers['cache-control'], NO_CACHE)
      assert.deepEqual(json(await read(app, key)), NOT_FOUND)
      assert.deepEqual(json(await remove(app, key)), NOT_FOUND)

      const withAnyPassphrase = await create(app, { secret: 's', passphrase: '' })
      assert.equal((await remove(app, withAnyPassphrase, 'whatever')).statusCode, 200)
    })

    it('needs the passphrase to delete a protected secret; a read needs only the link', async (t) => {
      const { app } = await build(t)
      const key = await create(app, { secret: 'guarded', passphrase: 'open sesame' })
      for (const passphrase of [undefined, '', 'wrong', 'OPEN SESAME']) {
        const refused = await remove(app, key, passphrase)
        assert.equal(refused.statusCode, 401, String(passphrase))
        assert.deepEqual(json(refused), { detail: 'Incorrect passphrase' })
        assert.equal(refused.headers['cache-control'], NO_CACHE)
      }
      const deleted = await remove(app, key, 'open sesame')
      assert.equal(deleted.statusCode, 200)
      assert.equal(deleted.body, '')
      assert.deepEqual(json(await remove(app, key, 'open sesame')), NOT_FOUND)
      assert.deepEqual(json(await read(app, key)), NOT_FOUND)

      const readable = await create(app, { secret: 'guarded', passphrase: 'open sesame' })
      assert.deepEqual(json(await read(app, readable)), { secret: 'guarded' })
      assert.deepEqual(json(await remove(app, readable, 'open sesame')), NOT_FOUND)
    })

    it('destroys a protected secret after five wrong delete passphrases', async (t) => {
      const { app } = await build(t)
      const key = await create(app, { secret: 's', passphrase: 'right' })
      // A missing passphrase is refused but is no guess: it spends nothing.
      for (let i = 0; i < 3; i++) assert.equal((await remove(app, key)).statusCode, 401)
      for (let i = 0; i < 4; i++) assert.equal((await remove(app, key, `w${i}`)).statusCode, 401)
      assert.deepEqual(json(await read(app, key)), { secret: 's' })

      const doomed = await create(app, { secret: 's', passphrase: 'right' })
      for (let i = 0; i < 5; i++) assert.equal((await remove(app, doomed, `w${i}`)).statusCode, 401)
      assert.deepEqual(json(await remove(app, doomed, 'right')), NOT_FOUND)
      assert.deepEqual(json(await read(app, doomed)), NOT_FOUND)
    })

    it('refuses other methods with 405 and Allow, and never burns a secret on HEAD', async (t) => {
      const { app } = await build(t)
      const key = await create(app, { secret: 's' })
      const head = await app.inject({ method: 'HEAD', url: `/api/secret/${key}` })
      assert.equal(head.statusCode, 405)
      assert.equal(head.headers.allow, 'GET, DELETE')
      for (const [method, url, allow] of [
        ['PUT', `/api/secret/${key}`, 'GET, DELETE'],
        ['GET', '/api/secret', 'POST'],
        ['POST', '/api/event', 'GET, HEAD'],
      ] as const) {
        const response = await app.inject({ method, url })
        assert.equal(response.statusCode, 405, `${method} ${url}`)
        assert.equal(response.headers.allow, allow)
        assert.equal(response.headers['cache-control'], NO_CACHE)
      }
      assert.deepEqual(json(await read(app, key)), { secret: 's' })
      const unknown = await app.inject({ method: 'GET', url: '/api/nothing-here' })
      assert.equal(unknown.statusCode, 404)
      assert.deepEqual(json(unknown), { detail: 'Not Found' })
      assert.equal(unknown.headers['cache-control'], NO_CACHE)
    })

    it('pages create, read and delete events oldest first, for admins only', async (t) => {
      const environment = await build(t)
      const { app } = environment
      const { store } = openServices(environment)
      const ua = { 'user-agent': 'Mozilla/5.0 (one-time test)' }
      const a = await create(app, { secret: 'a' }, ua)
      const b = await create(app, { secret: 'b', passphrase: 'p' }, ua)
      await app.inject({ method: 'GET', url: `/api/secret/${a}`, headers: ua })
      await remove(app, b, 'wrong') // a failed delete is not a DELETE event
      // No User-Agent at all: recorded as "" (docs/surfaces/4-one-time.md).
      const deleted = await app.inject({
        method: 'DELETE',
        url: `/api/secret/${b}?passphrase=p`,
        headers: { 'user-agent': undefined },
      })
      assert.equal(deleted.statusCode, 200)
      // Surface 5's secrets are not this surface's events.
      await app.inject({
        method: 'POST',
        url: '/generate',
        payload: { secret: 'g', passphrase: 'p' },
      })

      const user = await signUp(app)
      const root = await admin(environment)
      const page = (query: string, token?: string) =>
        app.inject({
          method: 'GET',
          url: `/api/event${query}`,
          headers: token === undefined ? {} : bearer(token),
        })

      for (const [token, status, detail] of [
        [undefined, 401, 'Not authorized'],
        ['not-a-token', 401, 'Not authorized'],
        [user.token, 403, 'Forbidden'],
      ] as const) {
        const refused = await page('?page=1&page_size=10', token)
        assert.equal(refused.statusCode, status)
        assert.deepEqual(json(refused), { detail })
        assert.equal(refused.headers['cache-control'], NO_CACHE)
      }

      const first = await page('?page=1&page_size=3', root.token)
      assert.equal(first.statusCode, 200)
      assert.equal(first.headers['cache-control'], NO_CACHE)
      const body = json(first) as {
        total: number
        size: number
        events: Record<string, unknown>[]
      }
      assert.equal(body.total, 4)
      assert.equal(body.size, 3)
      assert.deepEqual(
        body.events.map((event) => event.type),
        ['CREATE', 'CREATE', 'READ'],
      )
      const ids = await store.db
        .selectFrom('audit_events')
        .select(['target_id'])
        .where('type', '=', 'one-time.create')
        .where('target_type', '=', 'one-time-api')
        .orderBy('id')
        .execute()
      const [createA, createB, readA] = body.events
      assert.ok(createA !== undefined && createB !== undefined && readA !== undefined)
      assert.deepEqual(Object.keys(createA).sort(), [
        'client_ip',
        'client_user_agent',
        'created_at',
        'id',
        'secret_id',
        'type',
      ])
      assert.equal(createA.secret_id, Number(ids[0]?.target_id))
      assert.equal(createB.secret_id, Number(ids[1]?.target_id))
      assert.equal(readA.secret_id, createA.secret_id)
      assert.equal(typeof createA.secret_id, 'number')
      assert.match(String(createA.id), UUID_V7)
      assert.match(String(createA.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      assert.equal(createA.client_ip, '127.0.0.1')
      assert.equal(createA.client_user_agent, ua['user-agent'])

      const second = json(await page('?page=2&page_size=3', root.token)) as typeof body
      assert.equal(second.total, 4)
      assert.deepEqual(
        second.events.map((event) => [event.type, event.client_user_agent]),
        [['DELETE', '']],
      )
      assert.equal(second.events[0]?.secret_id, createB.secret_id)
      const beyond = json(await page('?page=9&page_size=3', root.token)) as typeof body
      assert.deepEqual(beyond, { total: 4, size: 3, events: [] })
      // Keys never appear in the event feed.
      assert.doesNotMatch(JSON.stringify([body, second]), new RegExp(`${a}|${b}`))

      for (const query of [
        '',
        '?page=1',
        '?page_size=10',
        '?page=0&page_size=10',
        '?page=1&page_size=0',
        '?page=1&page_size=101',
        '?page=abc&page_size=10',
        '?page=1.5&page_size=10',
        '?page=-1&page_size=10',
      ]) {
        const invalid = await page(query, root.token)
        assert.equal(invalid.statusCode, 422, query)
        assert.ok(Array.isArray((json(invalid) as { detail: unknown }).detail))
      }
      const max = json(await page('?page=1&page_size=100', root.token)) as typeof body
      assert.equal(max.size, 100)
    })

    it('serves events without a token when EVENTS_PUBLIC=true, and audits each view', async (t) => {
      const environment = await build(t, { env: { EVENTS_PUBLIC: 'true' } })
      const { app } = environment
      await create(app, { secret: 's' })
      const response = await app.inject({ method: 'GET', url: '/api/event?page=1&page_size=10' })
      assert.equal(response.statusCode, 200)
      assert.equal((json(response) as { total: number }).total, 1)
      const { store } = openServices(environment)
      const views = await store.db
        .selectFrom('audit_events')
        .select(['actor_id', 'details'])
        .where('type', '=', 'one-time.events')
        .execute()
      assert.deepEqual(views, [{ actor_id: null, details: '{"page":1,"page_size":10}' }])
    })

    it('records CREATE, READ, DELETE, failed passphrases and destruction with IP and user agent', async (t) => {
      const environment = await build(t)
      const { app } = environment
      const headers = { 'user-agent': 'audit-agent/2.0', 'x-forwarded-for': '203.0.113.9' }
      const key = await create(app, { secret: 's', passphrase: 'p' }, headers)
      for (let i = 0; i < 5; i++) {
        await app.inject({ method: 'DELETE', url: `/api/secret/${key}?passphrase=w${i}`, headers })
      }
      const { store } = openServices(environment)
      const events = await store.db
        .selectFrom('audit_events')
        .select(['type', 'outcome', 'client_ip', 'user_agent', 'details'])
        .where('type', 'like', 'one-time.%')
        .orderBy('id')
        .execute()
      assert.deepEqual(
        events.map((event) => `${event.type}:${event.outcome}`),
        [
          'one-time.create:success',
          ...Array.from({ length: 5 }, () => 'one-time.passphrase:failure'),
          'one-time.destroy:success',
        ],
      )
      // X-Forwarded-For is not believed without TRUST_PROXY.
      assert.ok(events.every((event) => event.client_ip === '127.0.0.1'))
      assert.ok(events.every((event) => event.user_agent === 'audit-agent/2.0'))
      assert.equal(events[5]?.details, '{"action":"delete","attempts_left":0}')
      assert.doesNotMatch(JSON.stringify(events), /w[0-4]"|"p"|"s"/)
    })
  })
}

describe('One-time and Generate surfaces in the OpenAPI document', () => {
  it('documents every route with its schemas, also at /api/openapi.json', async (t) => {
    const { app } = await buildTestApp(t)
    for (const url of ['/openapi.json', '/api/openapi.json']) {
      const spec = json(await app.inject({ method: 'GET', url })) as {
        paths: Record<string, Record<string, unknown>>
      }
      assert.deepEqual(Object.keys(spec.paths['/api/secret'] ?? {}), ['post'])
      assert.deepEqual(Object.keys(spec.paths['/api/secret/{secret_key}'] ?? {}).sort(), [
        'delete',
        'get',
      ])
      assert.deepEqual(Object.keys(spec.paths['/api/event'] ?? {}), ['get'])
      assert.deepEqual(Object.keys(spec.paths['/generate'] ?? {}), ['post'])
      assert.deepEqual(Object.keys(spec.paths['/secrets/{secret_key}'] ?? {}).sort(), [
        'get',
        'post',
      ])
    }
    const home = json(await app.inject({ method: 'GET', url: '/' })) as {
      surfaces: { name: string }[]
    }
    const names = home.surfaces.map((surface) => surface.name)
    assert.ok(names.includes('One-time') && names.includes('Generate'), names.join(', '))
  })
})
