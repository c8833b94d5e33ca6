import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { parsePublicKey } from '../../src/crypto/checkpoint.js'
import { verifyExport } from '../../src/domain/audit/export-format.js'

import { buildTestApp, openServices } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, json, signUp } from '../helpers/http.js'

interface Event {
  seq: number
  type: string
  outcome: string
  actor_id: number | null
  occurred_at: string
  details: Record<string, unknown>
  leaf_hash: string | null
}
interface Page {
  events: Event[]
  next_cursor: string | null
}

for (const dialect of DIALECTS) {
  describe(`audit API (${dialect})`, () => {
    it('pages newest first with a cursor, filters, and shows users only their own events', async (t) => {
      const clock = manualClock()
      const environment = await buildTestApp(t, { dialect, overrides: { clock } })
      const { app } = environment
      const { services } = openServices(environment)
      const admin = await signUp(app)
      clock.advance(60_000)
      const user = await signUp(app)
      await services.accounts.setRole(admin.username, 'admin', { clientIp: '', userAgent: 'cli' })
      for (let i = 0; i < 3; i++) {
        clock.advance(1000)
        await app.inject({
          method: 'POST',
          url: '/set_secret',
          headers: bearer(user.token),
          payload: { username: user.username, secret: `v${i}` },
        })
      }
      const get = async (query: string, token = admin.token) =>
        app.inject({ method: 'GET', url: `/v1/audit${query}`, headers: bearer(token) })

      // 2 registers + 2 logins + role + 3 sets = 8 events before any audit view, sealed in the
      // order they were committed.
      await services.audit.sequencer.flush()
      const first = json(await get('?limit=5')) as Page
      assert.deepEqual(
        first.events.map((event) => event.seq),
        [8, 7, 6, 5, 4],
      )
      assert.ok(first.next_cursor !== null)
      const second = json(await get(`?limit=5&cursor=${first.next_cursor}`)) as Page
      assert.deepEqual(
        second.events.map((event) => event.seq),
        [3, 2, 1],
      )
      assert.equal(second.next_cursor, null)

      const sets = json(await get('?type=personal-secret.*')) as Page
      assert.deepEqual(
        sets.events.map((event) => event.type),
        ['personal-secret.set', 'personal-secret.set', 'personal-secret.set'],
      )
      const userId = sets.events[0]?.actor_id
      assert.ok(typeof userId === 'number')
      const byActor = json(await get(`?actor=${userId}&type=auth.login,user.register`)) as Page
      assert.deepEqual(
        byActor.events.map((event) => event.type),
        ['auth.login', 'user.register'],
      )
      const since = new Date(clock.now().getTime() - 1500).toISOString()
      const recent = json(await get(`?since=${since}&type=personal-secret.set`)) as Page
      assert.equal(recent.events.length, 2)
      const until = json(await get(`?until=${since}&type=personal-secret.set`)) as Page
      assert.equal(until.events.length, 1)

      const own = json(await get('', user.token)) as Page
      assert.ok(own.events.length > 0)
      assert.ok(own.events.every((event) => event.actor_id === userId))
      const other = await get(`?actor=${userId + 1000}`, user.token)
      assert.equal(other.statusCode, 403)
      assert.deepEqual(json(other), { error: 'Administrators only' })

      const views = json(await get('?type=audit.view')) as Page
      assert.ok(views.events.length >= 5, 'admin views are audited')
    })

    it('guards and validates in the /v1 dialect', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const user = await signUp(app)
      const none = await app.inject({ method: 'GET', url: '/v1/audit' })
      assert.equal(none.statusCode, 401)
      assert.deepEqual(json(none), { error: 'Authorization required' })
      const bad = await app.inject({ method: 'GET', url: '/v1/audit', headers: bearer('x.y.z') })
      assert.deepEqual(json(bad), { error: 'Auth token is invalid' })
      for (const query of [
        '?limit=0',
        '?limit=501',
        '?since=yesterday',
        // A leap second is valid RFC 3339 but not a JavaScript Date: 422, never a 500.
        '?since=2016-12-31T23:59:60Z',
        '?until=2016-12-31T23:59:60Z',
        '?until=2016-12-31t23:59:60.5%2B00:00',
        '?cursor=bm9wZQ',
        '?type=DROP',
      ]) {
        const response = await app.inject({
          method: 'GET',
          url: `/v1/audit${query}`,
          headers: bearer(user.token),
        })
        assert.equal(response.statusCode, 422, query)
        assert.equal(typeof (json(response) as { error: unknown }).error, 'object')
      }
      const exported = await app.inject({
        method: 'GET',
        url: '/v1/audit/export',
        headers: bearer(user.token),
      })
      assert.equal(exported.statusCode, 403)
    })

    it('exports the whole chain as NDJSON, every line carrying its hashes', async (t) => {
      const environment = await buildTestApp(t, { dialect })
      const { app } = environment
      const { services } = openServices(environment)
      const admin = await signUp(app)
      await services.accounts.setRole(admin.username, 'admin', { clientIp: '', userAgent: 'cli' })
      const response = await app.inject({
        method: 'GET',
        url: '/v1/audit/export',
        headers: bearer(admin.token),
      })
      assert.equal(response.statusCode, 200)
      assert.match(String(response.headers['content-type']), /^application\/x-ndjson/)
      assert.equal(response.headers['cache-control'], 'no-store')
      const lines = response.body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Event & { kind: string })
      assert.equal(lines[0]?.kind, 'header')
      assert.equal(lines.at(-1)?.kind, 'end')
      const events = lines.filter((line) => line.kind === 'event')
      assert.deepEqual(
        events.map((event) => event.type),
        ['user.register', 'auth.login', 'user.role', 'audit.export'],
      )
      events.forEach((event, i) => {
        assert.equal(event.seq, i + 1)
        assert.match(String(event.leaf_hash), /^[0-9a-f]{64}$/)
      })
      assert.ok(lines.some((line) => line.kind === 'checkpoint'))
      const pinned = parsePublicKey(services.auditTrail.publicKey().key)
      assert.ok(pinned !== undefined)
      assert.equal((await verifyExport(lines, { publicKey: pinned })).ok, true)

      // Without a pinned key the export's own key is used, and the result says so.
      const selfKeyed = await verifyExport(
        (async function* () {
          yield* lines
        })(),
      )
      assert.equal(selfKeyed.ok, true)
      assert.equal(selfKeyed.keyFromExport, true)

      // Each damage is named: the header, its key, a checkpoint line, the end line, the count,
      // an event that is not an object, and events no signed checkpoint covers.
      const broken = async (damaged: unknown[]): Promise<string> => {
        const result = await verifyExport(damaged, { publicKey: pinned })
        assert.equal(result.ok, false)
        return result.firstBreak?.message ?? ''
      }
      const [header, ...rest] = lines
      const withoutEnd = lines.slice(0, -1)
      const end = lines.at(-1) as unknown as { events: number }
      assert.match(await broken([]), /first line is not a/)
      assert.match(await broken([{ ...header, format: 'other' }, ...rest]), /first line is not a/)
      const keyless = await verifyExport([{ ...header, public_key: 'nope' }, ...rest])
      assert.match(keyless.firstBreak?.message ?? '', /valid Ed25519 public key/)
      const checkpointAt = lines.findIndex((line) => line.kind === 'checkpoint')
      const badCheckpoint = lines.map((line, i) =>
        i === checkpointAt ? { kind: 'checkpoint', tree_size: 'x' } : line,
      )
      assert.match(await broken(badCheckpoint), /checkpoint line of the export is malformed/)
      assert.match(await broken(withoutEnd), /without its end line/)
      assert.match(await broken([...withoutEnd, { ...end, events: end.events + 1 }]), /announces/)
      const firstEventAt = lines.findIndex((line) => line.kind === 'event')
      assert.notEqual(await broken(lines.map((line, i) => (i === firstEventAt ? 42 : line))), '')
      const unsigned = lines.filter((line) => line.kind !== 'checkpoint')
      assert.match(await broken(unsigned), /not covered by any signed checkpoint/)
    })
  })
}
