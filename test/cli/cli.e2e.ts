import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildApp } from '../../src/app.js'
import { findUserByUsernameKey } from '../../src/domain/accounts/users-repo.js'
import { createTestEnvironment, openServices, runBehindTheBack } from '../helpers/app.js'
import type { TestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, signUp } from '../helpers/http.js'
import { runCli } from '../helpers/process.js'

/** A short history: two users, a secret set and read, one refused cross-user read. */
async function recordSomeHistory(environment: TestEnvironment): Promise<string> {
  const app = await buildApp(environment.config)
  try {
    const alice = await signUp(app)
    const bob = await signUp(app)
    await app.inject({
      method: 'POST',
      url: '/set_secret',
      headers: bearer(alice.token),
      payload: { username: alice.username, secret: 'x' },
    })
    await app.inject({
      method: 'GET',
      url: `/get_secret?username=${alice.username}`,
      headers: bearer(alice.token),
    })
    await app.inject({
      method: 'GET',
      url: `/get_secret?username=${alice.username}`,
      headers: bearer(bob.token),
    })
    return alice.username
  } finally {
    await app.close()
  }
}

for (const dialect of DIALECTS) {
  describe(`strongroom CLI (${dialect})`, () => {
    it('audit verify passes on a real history and names the event edited behind its back', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      await recordSomeHistory(environment)

      const clean = runCli(['audit', 'verify'], environment.env)
      assert.equal(clean.code, 0, clean.stderr)
      assert.match(clean.stdout, /Audit log intact: 7 event\(s\) verified/)

      await runBehindTheBack(
        environment,
        `update audit_events set client_ip = '198.51.100.66' where seq = 5`,
      )
      const broken = runCli(['audit', 'verify'], environment.env)
      assert.equal(broken.code, 1)
      assert.match(broken.stderr, /BROKEN at event 5 \([0-9a-f-]{36}\): event 5 .* was altered/)
      assert.match(broken.stderr, /4 event\(s\) before it verified/)
    })

    it('admin grant and revoke change the role, are audited, and refuse unknown users', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const username = await recordSomeHistory(environment)
      const { store } = openServices(environment)
      const role = async (): Promise<string | undefined> =>
        (await findUserByUsernameKey(store.db, username.toLowerCase()))?.role

      const granted = runCli(['admin', 'grant', username.toUpperCase()], environment.env)
      assert.equal(granted.code, 0, granted.stderr)
      assert.match(granted.stdout, /: now an admin/)
      assert.equal(await role(), 'admin')

      const revoked = runCli(['admin', 'revoke', username], environment.env)
      assert.equal(revoked.code, 0, revoked.stderr)
      assert.equal(await role(), 'user')

      const unknown = runCli(['admin', 'grant', 'nobody-here'], environment.env)
      assert.equal(unknown.code, 1)
      assert.match(unknown.stderr, /No user with username or e-mail "nobody-here"/)

      const events = await store.db
        .selectFrom('audit_events')
        .select(['type', 'details'])
        .where('type', '=', 'user.role')
        .orderBy('id')
        .execute()
      assert.deepEqual(
        events.map((event) => event.details),
        ['{"role":"admin"}', '{"role":"user"}'],
      )
      assert.equal(runCli(['audit', 'verify'], environment.env).code, 0)
    })
  })
}

for (const dialect of DIALECTS) {
  describe(`strongroom CLI names accounts unambiguously (${dialect})`, () => {
    it('selects by --email, --username or --id, refuses an ambiguous word and unknown flags', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const app = await buildApp(environment.config)
      const operator = await signUp(app)
      await app.close()
      // Two accounts that collided before identifier claims existed: one's username is the
      // other's e-mail (registration refuses this now; old stores may hold it).
      const now = new Date().toISOString()
      await runBehindTheBack(
        environment,
        `insert into users (username, username_key, email, email_key, role, password_hash, token_version, created_at, updated_at) values ('Boss@Example.com', 'boss@example.com', 'mallory@example.com', 'mallory@example.com', 'user', 'x', 0, '${now}', '${now}')`,
        `insert into users (username, username_key, email, email_key, role, password_hash, token_version, created_at, updated_at) values ('boss', 'boss', 'boss@example.com', 'boss@example.com', 'user', 'x', 0, '${now}', '${now}')`,
      )
      const { store } = openServices(environment)
      const roles = async (): Promise<Record<string, string>> => {
        const rows = await store.db.selectFrom('users').select(['username', 'role']).execute()
        return Object.fromEntries(rows.map((row) => [row.username ?? '', row.role]))
      }
      const boss = await findUserByUsernameKey(store.db, 'boss')
      assert.ok(boss !== undefined)

      const ambiguous = runCli(['admin', 'grant', 'boss@example.com'], environment.env)
      assert.equal(ambiguous.code, 1)
      assert.match(ambiguous.stderr, /matches more than one account; nothing changed/)
      assert.equal((await roles())['Boss@Example.com'], 'user')
      assert.equal((await roles()).boss, 'user')

      const byEmail = runCli(['admin', 'grant', '--email', 'BOSS@example.com'], environment.env)
      assert.equal(byEmail.code, 0, byEmail.stderr)
      assert.match(
        byEmail.stdout,
        new RegExp(
          `Changed user ${boss.id} \\(e-mail: boss@example\\.com, username: boss\\): now an admin`,
        ),
      )
      assert.deepEqual(await roles(), {
        [operator.username]: 'user',
        'Boss@Example.com': 'user',
        boss: 'admin',
      })

      const byUsername = runCli(['admin', 'revoke', '--username=boss'], environment.env)
      assert.equal(byUsername.code, 0, byUsername.stderr)
      assert.match(byUsername.stdout, /username: boss\): no longer an admin/)
      const byId = runCli(['admin', 'grant', '--id', String(boss.id)], environment.env)
      assert.equal(byId.code, 0, byId.stderr)
      assert.equal((await roles()).boss, 'admin')

      const password = runCli(
        ['user', 'set-password', '--id', String(boss.id)],
        environment.env,
        'n3w-pass\n',
      )
      assert.equal(password.code, 0, password.stderr)
      assert.match(
        password.stdout,
        new RegExp(`Changed user ${boss.id} \\(e-mail: boss@example\\.com`),
      )
      const ambiguousPassword = runCli(
        ['user', 'set-password', 'boss@example.com'],
        environment.env,
        'x\n',
      )
      assert.equal(ambiguousPassword.code, 1)

      for (const args of [
        ['admin', 'grant', '--emial', 'boss@example.com'],
        ['admin', 'grant', '--email', 'boss@example.com', '--id', '1'],
        ['admin', 'grant', 'boss', 'extra'],
        ['admin', 'grant'],
        ['user', 'set-password', '--force', 'boss'],
      ]) {
        const refused = runCli(args, environment.env, 'x\n')
        assert.equal(refused.code, 2, args.join(' '))
        assert.match(refused.stderr, /Usage: strongroom/)
      }
      assert.equal(runCli(['admin', 'grant', '--id', '999999'], environment.env).code, 1)
      assert.equal((await roles())[operator.username], 'user')
    })
  })
}

describe('strongroom user set-password', () => {
  it('reads the password from stdin, kills older tokens, and the new password logs in', async (t) => {
    const environment = await createTestEnvironment(t)
    const app = await buildApp(environment.config)
    environment.defer(() => app.close())
    const user = await signUp(app)

    const result = runCli(['user', 'set-password', user.email], environment.env, 'n3w-pass\n')
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /has a new password/)
    assert.doesNotMatch(result.stdout + result.stderr, /n3w-pass/)

    const old = await app.inject({
      method: 'GET',
      url: `/get_secret?username=${user.username}`,
      headers: bearer(user.token),
    })
    assert.equal(old.statusCode, 401)
    const oldPassword = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { email: user.email, password: user.password },
    })
    assert.equal(oldPassword.statusCode, 401)
    const fresh = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { email: user.email, password: 'n3w-pass' },
    })
    assert.equal(fresh.statusCode, 200)

    assert.equal(runCli(['user', 'set-password', user.email], environment.env, '\n').code, 2)
    assert.equal(runCli(['user', 'set-password', 'ghost'], environment.env, 'x\n').code, 1)
  })
})

describe('strongroom CLI (configuration and usage)', () => {
  it('prints help, and exits 2 on usage errors and on invalid configuration', async (t) => {
    const environment = await createTestEnvironment(t)
    const help = runCli(['help'], environment.env)
    assert.equal(help.code, 0)
    assert.match(help.stdout, /strongroom admin grant <account>/)
    assert.match(help.stdout, /strongroom help config/)
    const config = runCli(['help', 'config'], environment.env)
    assert.equal(config.code, 0)
    assert.match(config.stdout, /^ {2}SHUTDOWN_GRACE_SECONDS {2}\(default: 10\)$/m)
    assert.match(config.stdout, /Whole number from 1 to 3600\./)

    const promote = runCli(['admin', 'promote', 'x'], environment.env)
    assert.equal(promote.code, 2)
    assert.match(promote.stderr, /Unknown use of "admin"/)
    assert.match(promote.stderr, /strongroom admin revoke <account>/)
    assert.equal(runCli(['frobnicate'], environment.env).code, 2)
  })

  it('refuses an option or argument a command does not take, and helps with each command', async (t) => {
    const environment = await createTestEnvironment(t)
    // A misspelt flag is an error naming it, never ignored (`--emial` must not grant by guess).
    const typo = runCli(['admin', 'grant', '--emial', 'boss@example.com'], environment.env)
    assert.equal(typo.code, 2)
    assert.match(typo.stderr, /Unknown option '--emial'/)
    assert.match(typo.stderr, /Usage: strongroom admin grant <account>/)

    const extra = runCli(['audit', 'verify', 'now'], environment.env)
    assert.equal(extra.code, 2)
    assert.match(extra.stderr, /Unexpected argument 'now'/)

    const migrateFlag = runCli(['migrate', '--dry-run'], environment.env)
    assert.equal(migrateFlag.code, 2)

    const perCommand = runCli(['audit', 'verify', '--help'], environment.env)
    assert.equal(perCommand.code, 0)
    assert.match(perCommand.stdout, /^Usage: strongroom audit verify \[--from-export FILE\]/)
    assert.match(perCommand.stdout, /--public-key/)

    const bad = runCli(['serve'], { ...environment.env, PORT: 'eighty', LOG_LEVEL: 'loud' })
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /PORT must be a whole number/)
    assert.match(bad.stderr, /LOG_LEVEL must be one of/)
  })

  it('migrate applies the schema once, then reports it current', async (t) => {
    const environment = await createTestEnvironment(t, { env: { DATABASE_URL: ':memory:' } })
    // A fresh on-disk SQLite file in the environment's data directory.
    const env = { ...environment.env, DATABASE_URL: `${environment.dataDir}/fresh.db` }
    const first = runCli(['migrate'], env)
    assert.equal(first.code, 0, first.stderr)
    assert.match(first.stdout, /Applied \d+ migration\(s\)/)
    const second = runCli(['migrate'], env)
    assert.match(second.stdout, /Schema is current/)
  })
})
