import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'

import { deriveKeys, loadRootKey } from '../../src/crypto/keys.js'
import { createLookupHasher } from '../../src/crypto/lookup.js'
import { createOneTimeSealer } from '../../src/crypto/one-time-key.js'
import { createPasswordHasher } from '../../src/crypto/passwords.js'
import { openStore } from '../../src/db/connect.js'
import { prepareStore } from '../../src/db/prepare.js'
import { createServices } from '../../src/services.js'
import { createTestEnvironment } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import type { ManualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import type { TestDialect } from '../helpers/dialects.js'

const context = { clientIp: '192.0.2.44', userAgent: 'one-time-test/1.0' }
/** Whose quota the secrets count against. */
const CLIENT = '192.0.2.44'

async function setUp(t: TestContext, dialect: TestDialect, env: Record<string, string> = {}) {
  const environment = await createTestEnvironment(t, { dialect, env })
  const store = openStore(environment.config.database)
  t.after(() => store.close())
  await prepareStore(store)
  const clock: ManualClock = manualClock()
  const services = createServices(environment.config, store, clock)
  const rows = () => store.db.selectFrom('one_time_secrets').selectAll().orderBy('id').execute()
  const events = () =>
    store.db
      .selectFrom('audit_events')
      .select(['type', 'outcome', 'target_type', 'target_id', 'details', 'client_ip', 'user_agent'])
      .where('type', 'like', 'one-time.%')
      .orderBy('id')
      .execute()
  return {
    environment,
    store,
    clock,
    oneTime: services.oneTime,
    audit: services.audit,
    rows,
    events,
  }
}

const notFound = { code: 'NOT_FOUND' }

/** Files under `dir` whose raw bytes contain `needle` (database, WAL, shared memory). */
function filesContaining(dir: string, needle: Buffer): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => readFileSync(file).includes(needle))
}

for (const dialect of DIALECTS) {
  describe(`one-time service (${dialect})`, () => {
    it('reads once, then never again', async (t) => {
      const { oneTime, rows, events } = await setUp(t, dialect)
      const { secretKey } = await oneTime.create({ kind: 'api', secret: 'once' }, context, CLIENT)
      assert.equal(await oneTime.read(secretKey, context), 'once')
      await assert.rejects(oneTime.read(secretKey, context), notFound)
      assert.deepEqual(await rows(), [])
      assert.deepEqual(
        (await events()).map((event) => event.type),
        ['one-time.create', 'one-time.read'],
      )
    })

    it('expires at the exact millisecond, whatever the sweeper did, and records it', async (t) => {
      const { oneTime, clock, rows, events } = await setUp(t, dialect)
      const early = await oneTime.create(
        { kind: 'api', secret: 'a', ttlSeconds: 10 },
        context,
        CLIENT,
      )
      const late = await oneTime.create(
        { kind: 'api', secret: 'b', ttlSeconds: 10 },
        context,
        CLIENT,
      )
      const generated = await oneTime.create(
        { kind: 'generate', secret: 'c', passphrase: 'p', ttlSeconds: 10 },
        context,
        CLIENT,
      )
      clock.advance(9_999)
      assert.equal(await oneTime.read(early.secretKey, context), 'a')
      clock.advance(1)
      await assert.rejects(oneTime.read(late.secretKey, context), notFound)
      await assert.rejects(oneTime.reveal(generated.secretKey, 'p', context), notFound)
      // A read of an expired row removes it; nothing is left for the sweeper.
      assert.deepEqual(await rows(), [])
      const expired = (await events()).filter((event) => event.type === 'one-time.expire')
      assert.equal(expired.length, 2)
      assert.deepEqual(
        expired.map((event) => event.target_type),
        ['one-time-api', 'one-time-generate'],
      )
      assert.equal(expired[0]?.client_ip, context.clientIp)
    })

    it('gives a secret without a TTL the server maximum, and shortens longer ones to it', async (t) => {
      const { oneTime, clock } = await setUp(t, dialect, { ONE_TIME_MAX_TTL_SECONDS: '3600' })
      const start = clock.now().getTime()
      const expiry = async (ttlSeconds: number | null | undefined): Promise<number> =>
        Date.parse(
          (await oneTime.create({ kind: 'api', secret: 's', ttlSeconds }, context, CLIENT))
            .expiresAt,
        ) - start
      assert.equal(await expiry(undefined), 3_600_000)
      assert.equal(await expiry(null), 3_600_000)
      assert.equal(await expiry(0), 3_600_000)
      assert.equal(await expiry(60), 60_000)
      assert.equal(await expiry(10 ** 12), 3_600_000)
    })

    it('keeps a Generate secret through wrong passphrases until the budget is spent', async (t) => {
      const { oneTime, rows, events } = await setUp(t, dialect)
      const kept = await oneTime.create(
        { kind: 'generate', secret: 'kept', passphrase: 'right' },
        context,
        CLIENT,
      )
      for (let i = 0; i < 4; i++) {
        await assert.rejects(oneTime.reveal(kept.secretKey, `wrong-${i}`, context), notFound)
      }
      assert.equal((await rows())[0]?.attempts_left, 1)
      assert.equal(await oneTime.reveal(kept.secretKey, 'right', context), 'kept')

      const burnt = await oneTime.create(
        { kind: 'generate', secret: 'burnt', passphrase: 'right' },
        context,
        CLIENT,
      )
      for (let i = 0; i < 5; i++) {
        await assert.rejects(oneTime.reveal(burnt.secretKey, `wrong-${i}`, context), notFound)
      }
      assert.deepEqual(await rows(), [])
      await assert.rejects(oneTime.reveal(burnt.secretKey, 'right', context), notFound)
      const types = (await events()).map((event) => `${event.type}:${event.outcome}`)
      assert.equal(types.filter((type) => type === 'one-time.passphrase:failure').length, 9)
      assert.equal(types.filter((type) => type === 'one-time.destroy:success').length, 1)
      assert.equal(types.at(-1), 'one-time.destroy:success')
    })

    it('judges at most the budget of guesses, however many arrive at once', async (t) => {
      const { oneTime, rows, events } = await setUp(t, dialect)
      const { secretKey } = await oneTime.create(
        { kind: 'generate', secret: 'guess me', passphrase: 'right' },
        context,
        CLIENT,
      )
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) => oneTime.reveal(secretKey, `guess-${i}`, context)),
      )
      assert.ok(results.every((result) => result.status === 'rejected'))
      assert.deepEqual(await rows(), [])
      const failures = (await events()).filter((event) => event.type === 'one-time.passphrase')
      assert.equal(failures.length, 5, 'only five guesses were ever evaluated')
    })

    it('honours ONE_TIME_MAX_ATTEMPTS', async (t) => {
      const { oneTime, rows } = await setUp(t, dialect, { ONE_TIME_MAX_ATTEMPTS: '2' })
      const { secretKey } = await oneTime.create(
        { kind: 'generate', secret: 's', passphrase: 'p' },
        context,
        CLIENT,
      )
      await assert.rejects(oneTime.reveal(secretKey, 'x', context), notFound)
      assert.equal((await rows()).length, 1)
      await assert.rejects(oneTime.reveal(secretKey, 'y', context), notFound)
      assert.deepEqual(await rows(), [])
    })

    it('stores nothing that opens a secret without its link, even with every server key', async (t) => {
      const { environment, oneTime, rows } = await setUp(t, dialect)
      const api = await oneTime.create(
        { kind: 'api', secret: 'api-value', passphrase: 'api-pass' },
        context,
        CLIENT,
      )
      const generated = await oneTime.create(
        { kind: 'generate', secret: 'generate-value', passphrase: 'gen-pass' },
        context,
        CLIENT,
      )
      const [apiRow, generateRow] = await rows()
      assert.ok(apiRow !== undefined && generateRow !== undefined)

      // The attacker's position: the database and the root key (hence every derived key).
      const keys = deriveKeys(
        loadRootKey({ appSecret: environment.config.appSecret, dataDir: environment.dataDir }),
      )
      const sealer = createOneTimeSealer(keys.oneTime)
      const lookup = createLookupHasher(keys.lookup)
      const aad = (row: { kind: string; lookup_hash: string }): string =>
        `one-time:${row.kind}:${row.lookup_hash}`
      for (const row of [apiRow, generateRow]) {
        assert.doesNotMatch(
          JSON.stringify(row),
          new RegExp(`${api.secretKey}|${generated.secretKey}`),
        )
        for (const guess of [randomUUID(), '', row.lookup_hash]) {
          assert.throws(
            () => sealer.open({ linkKey: guess, salt: row.salt }, row.sealed, aad(row)),
            {
              code: 'DECRYPT_FAILED',
            },
          )
        }
      }
      // Control: the same attacker holding the link opens the surface-4 secret…
      assert.equal(lookup('one-time/api', api.secretKey), apiRow.lookup_hash)
      assert.equal(
        sealer
          .open({ linkKey: api.secretKey, salt: apiRow.salt }, apiRow.sealed, aad(apiRow))
          .toString(),
        'api-value',
      )
      // …but a Generate secret needs the passphrase as well.
      const linkOnly = { linkKey: generated.secretKey, salt: generateRow.salt }
      assert.throws(() => sealer.open(linkOnly, generateRow.sealed, aad(generateRow)), {
        code: 'DECRYPT_FAILED',
      })
      const passwords = createPasswordHasher(keys.passwordPepper)
      const passphraseKey = await passwords.deriveKey('gen-pass', generateRow.salt)
      assert.equal(
        sealer
          .open({ ...linkOnly, passphraseKey }, generateRow.sealed, aad(generateRow))
          .toString(),
        'generate-value',
      )
      // The surface-4 passphrase verifier is useless without the link, too.
      assert.ok(apiRow.passphrase_check !== null)
      const apiPassKey = await passwords.deriveKey('api-pass', apiRow.salt)
      assert.equal(
        sealer.checkPassphrase(
          { linkKey: randomUUID(), salt: apiRow.salt, passphraseKey: apiPassKey },
          apiRow.passphrase_check,
        ),
        false,
      )
      assert.equal(
        sealer.checkPassphrase(
          { linkKey: api.secretKey, salt: apiRow.salt, passphraseKey: apiPassKey },
          apiRow.passphrase_check,
        ),
        true,
      )
      assert.equal(generateRow.passphrase_check, null)
    })

    it('sweeps expired rows only, records each expiry once, and leaves no ciphertext on disk', async (t) => {
      const { environment, oneTime, clock, rows, events } = await setUp(t, dialect)
      const created = []
      for (let i = 0; i < 3; i++) {
        created.push(
          await oneTime.create({ kind: 'api', secret: `s${i}`, ttlSeconds: 60 }, context, CLIENT),
        )
      }
      await oneTime.create({ kind: 'api', secret: 'long', ttlSeconds: 3600 }, context, CLIENT)
      const [first] = await rows()
      assert.ok(first !== undefined)
      // 24 bytes from the middle of a ciphertext: unique enough to find a copy anywhere.
      const fragment = Buffer.from(first.sealed.subarray(20, 44))
      if (dialect === 'sqlite') {
        assert.notDeepEqual(filesContaining(environment.dataDir, fragment), [])
      }

      assert.deepEqual(await oneTime.sweep(), { expired: 0 })
      clock.advance(60_000)
      assert.deepEqual(await oneTime.sweep(), { expired: 3 })
      assert.deepEqual(await oneTime.sweep(), { expired: 0 })
      assert.deepEqual(
        (await rows()).map((row) => row.expires_at),
        [new Date(clock.now().getTime() - 60_000 + 3_600_000).toISOString()],
      )
      const expired = (await events()).filter((event) => event.type === 'one-time.expire')
      assert.equal(expired.length, 3)
      assert.ok(expired.every((event) => event.user_agent === 'strongroom-sweeper'))
      if (dialect === 'sqlite') {
        // secure_delete zeroed the cells; the sweep's checkpoint emptied the WAL.
        assert.deepEqual(filesContaining(environment.dataDir, fragment), [])
      }
      for (const { secretKey } of created) {
        await assert.rejects(oneTime.read(secretKey, context), notFound)
      }
    })

    it('sweeps more rows than one batch', async (t) => {
      const { oneTime, clock, rows } = await setUp(t, dialect)
      for (let i = 0; i < 130; i++) {
        await oneTime.create(
          {
            kind: i % 2 === 0 ? 'api' : 'generate',
            secret: 's',
            ttlSeconds: 1,
            ...(i % 2 === 0 ? {} : { passphrase: '' }),
          } as never,
          context,
          CLIENT,
        )
      }
      clock.advance(1000)
      assert.deepEqual(await oneTime.sweep(), { expired: 130 })
      assert.deepEqual(await rows(), [])
    })

    it('keeps the audit chain valid through every one-time path', async (t) => {
      const { oneTime, audit, clock } = await setUp(t, dialect)
      const a = await oneTime.create({ kind: 'api', secret: 'a', passphrase: 'p' }, context, CLIENT)
      await assert.rejects(oneTime.remove(a.secretKey, 'wrong', context), { code: 'UNAUTHORIZED' })
      await oneTime.remove(a.secretKey, 'p', context)
      const g = await oneTime.create(
        { kind: 'generate', secret: 'g', passphrase: 'p' },
        context,
        CLIENT,
      )
      await assert.rejects(oneTime.reveal(g.secretKey, 'wrong', context), notFound)
      await oneTime.create({ kind: 'api', secret: 'e', ttlSeconds: 1 }, context, CLIENT)
      clock.advance(1000)
      await oneTime.sweep()
      const verified = await audit.verify()
      assert.equal(verified.ok, true)
    })
  })
}
