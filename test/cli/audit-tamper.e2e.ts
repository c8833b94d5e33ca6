import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'

import { buildApp } from '../../src/app.js'
import { createCheckpointSigner } from '../../src/crypto/checkpoint.js'
import { CHECKPOINT_FILE } from '../../src/db/checkpoint-file.js'
import { openStore } from '../../src/db/connect.js'
import { eventLeafHash } from '../../src/domain/audit/leaf.js'
import { createTestEnvironment, openServices, runBehindTheBack } from '../helpers/app.js'
import type { TestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, signUp } from '../helpers/http.js'
import { runCli } from '../helpers/process.js'

/** Eight events: two registers, two logins, four secret writes; sealed when the app closes. */
async function history(environment: TestEnvironment): Promise<string> {
  const app = await buildApp(environment.config)
  try {
    const admin = await signUp(app)
    const user = await signUp(app)
    for (let i = 0; i < 4; i++) {
      await app.inject({
        method: 'POST',
        url: '/set_secret',
        headers: bearer(user.token),
        payload: { username: user.username, secret: `v${i}` },
      })
    }
    return admin.username
  } finally {
    await app.close()
  }
}

/**
 * A verifier who holds only the public key and a checkpoint saved earlier: no APP_SECRET, no key
 * file, nothing of the server's but read access to the database.
 */
function outsideAuditor(t: TestContext, environment: TestEnvironment) {
  const publicKey = runCli(['audit', 'public-key'], environment.env).stdout.trim()
  assert.match(publicKey, /^[A-Za-z0-9+/]{43}=$/)
  const own = mkdtempSync(path.join(tmpdir(), 'strongroom-auditor-'))
  t.after(() => {
    rmSync(own, { recursive: true, force: true })
  })
  const saved = path.join(own, 'checkpoint.json')
  copyFileSync(path.join(environment.dataDir, CHECKPOINT_FILE), saved)
  const env: Record<string, string> = {
    LOG_LEVEL: 'silent',
    DATA_DIR: own,
    DATABASE_URL: environment.env.DATABASE_URL ?? path.join(environment.dataDir, 'strongroom.db'),
  }
  return {
    publicKey,
    verify: (...args: string[]) =>
      runCli(['audit', 'verify', '--public-key', publicKey, '--checkpoint', saved, ...args], env),
  }
}

/** The sealed events from position `from` on, as stored: what a forger starts from. */
async function sealedFrom(environment: TestEnvironment, from: number) {
  const store = openStore(environment.config.database)
  try {
    const rows = await store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>=', from)
      .orderBy('seq')
      .execute()
    return rows.map((row) => ({ ...row, seq: row.seq ?? 0 }))
  } finally {
    await store.close()
  }
}

/** An event no one caused, with a correct leaf hash for its position (a careful forger). */
function forgedEvent(seq: number, leaf?: string): string {
  const fields = {
    seq,
    event_id: '00000000-0000-4000-8000-000000000000',
    occurred_at: '2026-01-01T00:00:00.000Z',
    type: 'user.role',
    actor_id: null,
    target_type: 'user',
    target_id: '2',
    outcome: 'success',
    client_ip: '',
    user_agent: 'intruder',
    details: '{"role":"admin"}',
  }
  return `insert into audit_events (event_id, occurred_at, type, actor_id, target_type, target_id, outcome, client_ip, user_agent, details, seq, leaf_hash, sealed_at)
   values ('${fields.event_id}', '${fields.occurred_at}', '${fields.type}', null, 'user', '2', 'success', '', 'intruder', '${fields.details}', ${seq}, '${leaf ?? eventLeafHash(fields)}', '${fields.occurred_at}')`
}

for (const dialect of DIALECTS) {
  describe(`audit verify against tampering, with the public key alone (${dialect})`, () => {
    const cases: [string, (e: TestEnvironment) => Promise<string[]>, RegExp][] = [
      [
        'an edited event',
        () =>
          Promise.resolve([`update audit_events set details = '{"role":"admin"}' where seq = 3`]),
        /BROKEN at event 3 \([0-9a-f-]{36}\): event 3 .* does not match its leaf hash/,
      ],
      [
        'an edited event whose leaf hash was recomputed',
        async (e) => {
          const [row] = await sealedFrom(e, 5)
          assert.ok(row !== undefined)
          const leaf = eventLeafHash({ ...row, client_ip: '198.51.100.66' })
          return [
            `update audit_events set client_ip = '198.51.100.66', leaf_hash = '${leaf}' where seq = 5`,
          ]
        },
        // The first signed checkpoint at or after event 5 catches it: the one for 8 events, or an
        // earlier one when the sequencer happened to seal the history in smaller batches.
        /BROKEN at event ([5-8]): events \d+–\1 do not reproduce the root signed for \1 event\(s\)/,
      ],
      [
        'a deleted event',
        () => Promise.resolve(['delete from audit_events where seq = 4']),
        /BROKEN at event 4 .*: event 4 is missing before event 5/,
      ],
      [
        'an event inserted in the middle, every later leaf recomputed',
        async (e) => {
          const moved = await sealedFrom(e, 4)
          return [
            'update audit_events set seq = seq + 1000 where seq >= 4',
            'update audit_events set seq = seq - 999 where seq >= 1004',
            ...moved.map(
              (row) =>
                `update audit_events set leaf_hash = '${eventLeafHash({ ...row, seq: row.seq + 1 })}' where id = ${row.id}`,
            ),
            forgedEvent(4),
          ]
        },
        /BROKEN at event ([4-8]): events \d+–\1 do not reproduce the root signed for \1 event\(s\)/,
      ],
      [
        'an event appended at the end',
        () => Promise.resolve([forgedEvent(9, 'ab'.repeat(32))]),
        /BROKEN at event 9: events 9–9 lie beyond the head of the log \(8 sealed\)/,
      ],
      [
        'two swapped events',
        () =>
          Promise.resolve([
            'update audit_events set seq = -3 where seq = 3',
            'update audit_events set seq = 3 where seq = 4',
            'update audit_events set seq = 4 where seq = -3',
          ]),
        /BROKEN at event 3 .*: event 3 .* does not match its leaf hash: it was altered or moved/,
      ],
      [
        'the tail cut off',
        () => Promise.resolve(['delete from audit_events where seq >= 7']),
        /BROKEN at event 7: events 7–8 are missing from the end of the log: a checkpoint \((store|the checkpoint file)/,
      ],
      [
        'the tail cut off together with its checkpoints and the head',
        () =>
          Promise.resolve([
            'delete from audit_events where seq >= 7',
            'delete from audit_checkpoints',
            'update audit_log_state set tree_size = 6',
          ]),
        /BROKEN at event 7: events 7–8 are missing from the end of the log: a checkpoint \(the checkpoint file .*checkpoint\.json/,
      ],
      [
        'the head record deleted',
        () => Promise.resolve(['delete from audit_log_state']),
        /BROKEN at event 9: the head record of the log \(audit_log_state\) is missing/,
      ],
      [
        'the head record deleted with the tail and every checkpoint',
        () =>
          Promise.resolve([
            'delete from audit_log_state',
            'delete from audit_events where seq >= 6',
            'delete from audit_checkpoints',
          ]),
        /BROKEN at event 6: events 6–8 are missing from the end of the log: a checkpoint \(the checkpoint file/,
      ],
      [
        'the whole log wiped',
        () =>
          Promise.resolve([
            'delete from audit_events',
            'delete from audit_checkpoints',
            'delete from audit_tree_nodes',
            'update audit_log_state set tree_size = 0',
          ]),
        /BROKEN at event 1: the log holds no sealed event, but a checkpoint \(the checkpoint file .*\) vouches for 8: the log was wiped/,
      ],
      [
        'a forged checkpoint',
        () =>
          Promise.resolve([
            `update audit_checkpoints set root_hash = '${'cd'.repeat(32)}' where tree_size = 8`,
          ]),
        /BROKEN at event 8: the checkpoint for 8 event\(s\) \(store, .*\) does not carry a valid signature/,
      ],
      [
        'a checkpoint signed by another key',
        () => {
          const other = createCheckpointSigner(Buffer.alloc(32, 9)).sign({
            treeSize: 3,
            rootHash: 'ef'.repeat(32),
            issuedAt: '2026-01-01T00:00:00.000Z',
          })
          // Whether the sequencer signed a checkpoint at 3 events depends on how it batched the
          // history; the forged one takes that place either way.
          return Promise.resolve([
            'delete from audit_checkpoints where tree_size = 3',
            `insert into audit_checkpoints (tree_size, root_hash, issued_at, key_id, signature) values (3, '${other.rootHash}', '${other.issuedAt}', '${other.keyId}', '${other.signature}')`,
          ])
        },
        /BROKEN at event 3: the checkpoint for 3 event\(s\) \(store, .*\) does not carry a valid signature/,
      ],
    ]

    for (const [name, tamper, expected] of cases) {
      it(`names ${name}`, async (t) => {
        const environment = await createTestEnvironment(t, { dialect })
        await history(environment)
        const auditor = outsideAuditor(t, environment)
        const clean = auditor.verify()
        assert.equal(clean.code, 0, clean.stderr)
        assert.match(clean.stdout, /intact: 8 event\(s\) verified against \d+ signed checkpoint/)
        assert.match(
          clean.stdout,
          /Checked against the checkpoint file .*checkpoint\.json \(8 event/,
        )
        await runBehindTheBack(environment, ...(await tamper(environment)))
        const result = auditor.verify()
        assert.equal(result.code, 1, result.stdout)
        assert.match(result.stderr, expected)
      })
    }
  })
}

describe('audit verify --from-export, with the public key alone', () => {
  it('verifies an export offline and names edited, removed, inserted, moved and cut lines', async (t) => {
    const environment = await createTestEnvironment(t)
    const adminName = await history(environment)
    const { services } = openServices(environment)
    await services.accounts.setRole(adminName, 'admin', { clientIp: '', userAgent: 'cli' })
    const app = await buildApp(environment.config)
    environment.defer(() => app.close())
    const login = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { email: `${adminName}@example.com`, password: `pw-${adminName}` },
    })
    const { token } = JSON.parse(login.body) as { token: string }
    const exported = await app.inject({
      method: 'GET',
      url: '/v1/audit/export',
      headers: bearer(token),
    })
    const lines = exported.body.trim().split('\n')
    const kinds = lines.map((line) => (JSON.parse(line) as { kind: string }).kind)
    assert.equal(kinds[0], 'header')
    assert.equal(kinds.at(-1), 'end')
    assert.equal(kinds.filter((kind) => kind === 'event').length, 11)
    const first = kinds.indexOf('event')
    const at = (seq: number): number => first + seq - 1

    const auditor = outsideAuditor(t, environment)
    const check = (name: string, content: string[], ...args: string[]) => {
      const file = path.join(environment.dataDir, `${name}.ndjson`)
      writeFileSync(file, `${content.join('\n')}\n`)
      return auditor.verify('--from-export', file, ...args)
    }
    const intact = check('intact', lines)
    assert.equal(intact.code, 0, intact.stderr)
    assert.match(intact.stdout, /Audit export intact: 11 event\(s\)/)

    const edited = [...lines]
    edited[at(5)] = (edited[at(5)] ?? '').replace(
      /"client_ip":"[^"]*"/,
      '"client_ip":"203.0.113.99"',
    )
    assert.match(
      check('edited', edited).stderr,
      /BROKEN at event 5 .* does not match its leaf hash/,
    )

    const removed = lines.filter((_, i) => i !== at(3))
    assert.match(check('removed', removed).stderr, /event 3 is missing before event 4/)

    const duplicated = [...lines.slice(0, at(5) + 1), lines[at(4)] ?? '', ...lines.slice(at(5) + 1)]
    assert.match(
      check('duplicated', duplicated).stderr,
      /BROKEN at event 4 .* appears after event 5/,
    )

    const swapped = [...lines]
    ;[swapped[at(6)], swapped[at(7)]] = [swapped[at(7)] ?? '', swapped[at(6)] ?? '']
    assert.match(
      check('swapped', swapped).stderr,
      /BROKEN at event 6 .*: event 7 is missing before event 7|event 6 is missing before event 7/,
    )

    const cut = lines.slice(0, at(9))
    assert.match(
      check('cut', cut).stderr,
      /BROKEN at event 9: events 9–11 are missing from the end of the log/,
    )

    const forgedCheckpoint = lines.map((line) =>
      line.includes('"kind":"checkpoint"')
        ? line.replace(/"root_hash":"[0-9a-f]+"/, `"root_hash":"${'00'.repeat(32)}"`)
        : line,
    )
    assert.match(
      check('forged', forgedCheckpoint).stderr,
      /does not carry a valid signature of this log's key/,
    )

    // Re-signed under another key, header included: only a pinned key catches it.
    const impostor = createCheckpointSigner(Buffer.alloc(32, 5))
    const resigned = lines.map((line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>
      if (parsed.kind === 'header')
        return JSON.stringify({ ...parsed, public_key: impostor.publicKey, key_id: impostor.keyId })
      if (parsed.kind !== 'checkpoint') return line
      const c = impostor.sign({
        treeSize: parsed.tree_size as number,
        rootHash: parsed.root_hash as string,
        issuedAt: parsed.issued_at as string,
      })
      return JSON.stringify({ ...parsed, key_id: c.keyId, signature: c.signature })
    })
    assert.match(check('resigned', resigned).stderr, /does not carry a valid signature/)

    const garbage = [...lines.slice(0, at(3)), '{not json', ...lines.slice(at(3))]
    const broken = check('garbage', garbage)
    assert.equal(broken.code, 1)
    assert.match(broken.stderr, /BROKEN at line \d+ .*not a JSON line/)

    const missing = auditor.verify('--from-export', path.join(environment.dataDir, 'nope'))
    assert.equal(missing.code, 2)
  })
})
