import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'

import { buildApp } from '../../src/app.js'
import { createTestEnvironment, openServices, runBehindTheBack } from '../helpers/app.js'
import type { TestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, signUp } from '../helpers/http.js'
import { runCli } from '../helpers/process.js'

/** Eight events: two registers, two logins, four secret writes. Returns an admin's token. */
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

const verify = (environment: TestEnvironment, ...args: string[]) =>
  runCli(['audit', 'verify', ...args], environment.env)

const FORGED = (seq: number, prevHashFrom: string) =>
  `insert into audit_events (seq, event_id, occurred_at, type, actor_id, target_type, target_id, outcome, client_ip, user_agent, details, prev_hash, hash)
   select ${seq}, '00000000-0000-4000-8000-000000000000', occurred_at, 'user.role', null, 'user', '2', 'success', '', 'intruder', '{"role":"admin"}', hash, '${'ab'.repeat(32)}'
   from audit_events where seq = ${prevHashFrom}`

for (const dialect of DIALECTS) {
  describe(`audit verify against tampering (${dialect})`, () => {
    const cases: [string, string[], RegExp][] = [
      [
        'an edited event',
        [`update audit_events set details = '{"role":"admin"}' where seq = 3`],
        /BROKEN at event 3 \([0-9a-f-]{36}\): event 3 .* does not match its hash/,
      ],
      [
        'a deleted event',
        ['delete from audit_events where seq = 4'],
        /BROKEN at event 5 .*: event 4 is missing before event 5/,
      ],
      [
        'an event inserted in the middle',
        [
          'update audit_events set seq = seq + 1000 where seq >= 4',
          'update audit_events set seq = seq - 999 where seq >= 1004',
          FORGED(4, '3'),
        ],
        /BROKEN at event 4 \(00000000-0000-4000-8000-000000000000\): .* forged without the chain key/,
      ],
      [
        'an event appended at the end',
        [FORGED(9, '8')],
        /BROKEN at event 9 \(00000000-0000-4000-8000-000000000000\)/,
      ],
      [
        'two swapped events',
        [
          'update audit_events set seq = -3 where seq = 3',
          'update audit_events set seq = 3 where seq = 4',
          'update audit_events set seq = 4 where seq = -3',
        ],
        /BROKEN at event 3 .*: event 3 .* does not follow event 2/,
      ],
      [
        'the newest event removed',
        ['delete from audit_events where seq = 8'],
        /BROKEN at event 8: events 8–8 are missing from the end of the log/,
      ],
    ]
    for (const [name, statements, expected] of cases) {
      it(`names ${name}`, async (t) => {
        const environment = await createTestEnvironment(t, { dialect })
        await history(environment)
        const clean = verify(environment)
        assert.equal(clean.code, 0, clean.stderr)
        assert.match(clean.stdout, /intact: 8 event\(s\)/)
        await runBehindTheBack(environment, ...statements)
        const result = verify(environment)
        assert.equal(result.code, 1, result.stdout)
        assert.match(result.stderr, expected)
      })
    }
  })
}

describe('audit verify --from-export', () => {
  it('verifies an export offline and names edited, removed, inserted and moved lines', async (t) => {
    const environment = await createTestEnvironment(t)
    const adminName = await history(environment)
    const { services } = openServices(t, environment)
    await services.accounts.setRole(adminName, 'admin', { clientIp: '', userAgent: 'cli' })
    const app = await buildApp(environment.config)
    t.after(() => app.close())
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
    assert.equal(lines.length, 11)

    const check = (name: string, content: string[]) => {
      const file = path.join(environment.dataDir, `${name}.ndjson`)
      writeFileSync(file, `${content.join('\n')}\n`)
      return verify(environment, '--from-export', file)
    }
    const intact = check('intact', lines)
    assert.equal(intact.code, 0, intact.stderr)
    assert.match(intact.stdout, /intact: 11 event\(s\)/)

    const edited = [...lines]
    edited[4] = (edited[4] ?? '').replace(/"client_ip":"[^"]*"/, '"client_ip":"203.0.113.99"')
    assert.match(check('edited', edited).stderr, /BROKEN at event 5 .* does not match its hash/)

    const removed = lines.filter((_, i) => i !== 2)
    assert.match(check('removed', removed).stderr, /event 3 is missing before event 4/)

    const duplicated = [...lines.slice(0, 5), lines[3] ?? '', ...lines.slice(5)]
    assert.match(
      check('duplicated', duplicated).stderr,
      /BROKEN at event 4 .* appears after event 5/,
    )

    const swapped = [...lines]
    ;[swapped[5], swapped[6]] = [swapped[6] ?? '', swapped[5] ?? '']
    assert.match(
      check('swapped', swapped).stderr,
      /BROKEN at event 7 .*: event 6 is missing before event 7/,
    )

    const garbage = [...lines.slice(0, 3), '{not json', ...lines.slice(3)]
    const broken = check('garbage', garbage)
    assert.equal(broken.code, 1)
    assert.match(broken.stderr, /BROKEN at line 4 .*not a JSON event/)

    const missing = verify(environment, '--from-export', path.join(environment.dataDir, 'nope'))
    assert.equal(missing.code, 2)
  })
})
