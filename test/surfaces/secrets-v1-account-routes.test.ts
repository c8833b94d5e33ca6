import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, it } from 'node:test'

import { buildTestApp, openServices } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import { startSmtpServer, tokenIn } from '../helpers/smtp.js'
import { expectStatus, signUpV1, v1 } from '../helpers/v1.js'

/** Collects the app's log lines, to prove what is (and is not) in them. */
function logSink(): { stream: Writable; text: () => string } {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'))
      done()
    },
  })
  return { stream, text: () => lines.join('') }
}

/**
 * The Go original's account routes (docs/surfaces/2-secrets-v1.md "Account routes"), with mail
 * going through a real SMTP server in this process. The first three tests replay the original's
 * TestActivate, TestReset and TestDelete request by request.
 */
for (const dialect of DIALECTS) {
  describe(`Secrets v1 account routes (${dialect})`, () => {
    it('TestActivate: an unknown token is 404; the welcome mail’s token activates once', async (t) => {
      const smtp = await startSmtpServer(t)
      const { app } = await buildTestApp(t, { dialect, env: smtp.env })
      await expectStatus(
        v1(app, 'POST', '/auth/register', {
          raw: '{"email": "test@example.com", "password": "password"}',
        }),
        201,
      )
      const invalid = await v1(app, 'PUT', '/auth/activate', { raw: '{"token": "token"}' })
      assert.equal(invalid.status, 404)
      assert.deepEqual(invalid.body, { error: 'The requested resource does not exist' })

      const token = tokenIn(await smtp.nextMailTo('test@example.com'))
      const activated = await v1(app, 'PUT', '/auth/activate', { raw: `{"token": "${token}"}` })
      assert.equal(activated.status, 200, JSON.stringify(activated.body))
      const { user } = activated.body as { user: Record<string, unknown> }
      assert.equal(user.activated, true)
      assert.equal(user.email, 'test@example.com')
      assert.equal(activated.headers['content-type'], 'application/json')

      const again = await v1(app, 'PUT', '/auth/activate', { raw: `{"token": "${token}"}` })
      assert.equal(again.status, 404, 'a token works once')
    })

    it('TestReset: 400, 404 for an unknown e-mail, 202, then 404 / 422 / 200 on PUT', async (t) => {
      const smtp = await startSmtpServer(t)
      const { app } = await buildTestApp(t, { dialect, env: smtp.env })
      const credentials = '{"email": "test@example.com", "password": "password"}'

      assert.equal((await v1(app, 'POST', '/auth/reset', { raw: '' })).status, 400)
      const unknown = await v1(app, 'POST', '/auth/reset', {
        raw: '{"email": "test@example.com"}',
      })
      assert.equal(unknown.status, 404)

      await expectStatus(v1(app, 'POST', '/auth/register', { raw: credentials }), 201)
      tokenIn(await smtp.nextMailTo('test@example.com')) // the welcome mail
      const loggedIn = await expectStatus(v1(app, 'POST', '/auth/login', { raw: credentials }), 200)
      const oldToken = (loggedIn.body as { token: string }).token

      const accepted = await v1(app, 'POST', '/auth/reset', {
        raw: '{"email": "test@example.com"}',
      })
      assert.equal(accepted.status, 202)
      assert.deepEqual(accepted.body, { message: 'An email will be sent with reset instructions' })
      const mail = await smtp.nextMailTo('test@example.com')
      assert.match(mail.raw, /^Subject: Reset your Strongroom password/m)
      assert.equal(mail.from, 'noreply@strongroom.test')
      const resetToken = tokenIn(mail)

      const badToken = await v1(app, 'PUT', '/auth/reset', {
        raw: '{"password": "pa55word", "token": "token"}',
      })
      assert.equal(badToken.status, 404)
      const short = await v1(app, 'PUT', '/auth/reset', {
        raw: `{"password": "please", "token": "${resetToken}"}`,
      })
      assert.equal(short.status, 422)
      assert.deepEqual(short.body, { error: { password: 'must be at least 8 characters' } })
      const reset = await v1(app, 'PUT', '/auth/reset', {
        raw: `{"password": "pa55word", "token": "${resetToken}"}`,
      })
      assert.equal(reset.status, 200, JSON.stringify(reset.body))
      assert.deepEqual(reset.body, { message: 'Your password was reset successfully' })

      // The token is spent, the old password and every earlier token are dead.
      const replay = await v1(app, 'PUT', '/auth/reset', {
        raw: `{"password": "another1", "token": "${resetToken}"}`,
      })
      assert.equal(replay.status, 404)
      assert.equal((await v1(app, 'POST', '/auth/login', { raw: credentials })).status, 401)
      assert.equal((await v1(app, 'GET', '/users/me', { token: oldToken })).status, 401)
      const fresh = await v1(app, 'POST', '/auth/login', {
        body: { email: 'test@example.com', password: 'pa55word' },
      })
      assert.equal(fresh.status, 200)
    })

    it('TestDelete: 401 without a token, 404 for another e-mail, 401 for a wrong password, 200', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const credentials = '{"email": "test@example.com", "password": "password"}'
      await expectStatus(v1(app, 'POST', '/auth/register', { raw: credentials }), 201)
      const login = await expectStatus(v1(app, 'POST', '/auth/login', { raw: credentials }), 200)
      const token = (login.body as { token: string }).token

      assert.equal((await v1(app, 'POST', '/auth/delete', { raw: credentials })).status, 401)
      const other = await v1(app, 'POST', '/auth/delete', {
        token,
        raw: '{"email": "test2@example.com", "password": "password"}',
      })
      assert.equal(other.status, 404)
      const wrong = await v1(app, 'POST', '/auth/delete', {
        token,
        raw: '{"email": "test@example.com", "password": "pa55word"}',
      })
      assert.equal(wrong.status, 401)
      assert.deepEqual(wrong.body, { error: 'The provided credentials are invalid' })
      const deleted = await v1(app, 'POST', '/auth/delete', { token, raw: credentials })
      assert.equal(deleted.status, 200)
      assert.deepEqual(deleted.body, { message: 'Your account has been deleted' })

      assert.equal((await v1(app, 'GET', '/users/me', { token })).status, 401)
      assert.equal((await v1(app, 'POST', '/auth/login', { raw: credentials })).status, 401)
    })

    it('answers another account’s e-mail on delete exactly like one nobody has', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const me = await signUpV1(app, 'deleter')
      const other = await signUpV1(app, 'bystander')
      const asked = (email: string) =>
        v1(app, 'POST', '/auth/delete', {
          token: me.token,
          body: { email, password: other.password },
        })
      const existing = await asked(other.email)
      const missing = await asked('nobody-at-all@example.com')
      assert.equal(existing.status, 404)
      assert.deepEqual(existing.body, missing.body)
      assert.equal((await v1(app, 'GET', '/users/me', { token: other.token })).status, 200)
    })

    it('deletes the account’s secrets, shares, memberships and tokens at once, and keeps the audit history', async (t) => {
      const environment = await buildTestApp(t, { dialect })
      const { app } = environment
      const leaving = await signUpV1(app, 'leaving')
      const staying = await signUpV1(app, 'staying')
      const created = await expectStatus(
        v1(app, 'POST', '/secrets', {
          token: leaving.token,
          body: { name: 'mine', encrypted_data: 'c2VjcmV0' },
        }),
        201,
      )
      const mine = (created.body as { secret_id: number }).secret_id
      await expectStatus(
        v1(app, 'POST', '/secrets/share/user', {
          token: leaving.token,
          body: { secret_id: mine, user_id: staying.id, permission: 'read-only' },
        }),
        201,
      )
      const theirs = (
        (
          await expectStatus(
            v1(app, 'POST', '/secrets', {
              token: staying.token,
              body: { name: 'theirs', encrypted_data: 'dGhlaXJz' },
            }),
            201,
          )
        ).body as { secret_id: number }
      ).secret_id
      await expectStatus(
        v1(app, 'POST', '/secrets/share/user', {
          token: staying.token,
          body: { secret_id: theirs, user_id: leaving.id, permission: 'read-write' },
        }),
        201,
      )
      const group = (
        (
          await expectStatus(
            v1(app, 'POST', '/groups', { token: staying.token, body: { group_name: 'team-stay' } }),
            201,
          )
        ).body as { data: { id: number } }
      ).data.id
      await expectStatus(
        v1(app, 'POST', '/groups/add_user', {
          token: staying.token,
          body: { group_id: group, user_id: leaving.id },
        }),
        200,
      )

      await expectStatus(
        v1(app, 'POST', '/auth/delete', {
          token: leaving.token,
          body: { email: leaving.email, password: leaving.password },
        }),
        200,
      )

      const shared = await v1(app, 'GET', '/secrets/shared', { token: staying.token })
      assert.deepEqual((shared.body as { data: unknown[] }).data, [], 'its secret is gone')
      const read = await v1(app, 'GET', '/secrets', {
        token: staying.token,
        body: { secret_id: mine },
      })
      assert.equal(read.status, 404)
      const members = await v1(app, 'GET', '/groups', {
        token: staying.token,
        body: { group_id: group },
      })
      assert.deepEqual(
        (members.body as { Data: { members: { id: number }[] } }).Data.members.map((m) => m.id),
        [staying.id],
      )
      assert.equal((await v1(app, 'GET', '/users/me', { token: leaving.token })).status, 401)

      const { store, services } = openServices(environment)
      const left = async (table: 'vault_secrets' | 'vault_user_grants' | 'vault_group_members') =>
        (await store.db.selectFrom(table).selectAll().execute()).length
      assert.equal(await left('vault_secrets'), 1, 'only the other user’s secret is left')
      assert.equal(await left('vault_user_grants'), 0)
      assert.equal(await left('vault_group_members'), 1)
      const history = await store.db
        .selectFrom('audit_events')
        .select(['type', 'details'])
        .where('actor_id', '=', leaving.id)
        .orderBy('seq')
        .execute()
      assert.ok(
        history.some((event) => event.type === 'vault.secret.create'),
        'history is kept',
      )
      const deletion = history.find((event) => event.type === 'user.delete')
      assert.deepEqual(JSON.parse(deletion?.details ?? '{}'), {
        secrets: 1,
        shares: 2,
        memberships: 1,
        groups: 0,
      })
      assert.equal((await services.audit.verify()).ok, true)
    })

    it('says at start and on each reset that mail is not configured, and never logs a token', async (t) => {
      const sink = logSink()
      const { app } = await buildTestApp(t, {
        dialect,
        env: { LOG_LEVEL: 'info' },
        overrides: { logStream: sink.stream },
      })
      assert.match(sink.text(), /Mail is not configured/)
      const user = await signUpV1(app, 'nomail')
      const answer = await v1(app, 'POST', '/auth/reset', { body: { email: user.email } })
      assert.equal(answer.status, 202)
      assert.match(
        sink.text(),
        /password reset requested: no mail sent, because mail is not configured/,
      )
    })

    it('logs that a mail went out without its token or recipient, and stores only a digest', async (t) => {
      const smtp = await startSmtpServer(t)
      const sink = logSink()
      const environment = await buildTestApp(t, {
        dialect,
        env: { ...smtp.env, LOG_LEVEL: 'info' },
        overrides: { logStream: sink.stream },
      })
      const { app } = environment
      const user = await signUpV1(app, 'mailed')
      await smtp.nextMailTo(user.email)
      await expectStatus(v1(app, 'POST', '/auth/reset', { body: { email: user.email } }), 202)
      const token = tokenIn(await smtp.nextMailTo(user.email))
      assert.match(sink.text(), /password reset requested: mail handed to the SMTP server/)
      assert.ok(!sink.text().includes(token), 'the token is in no log line')
      assert.ok(!sink.text().includes(user.email), 'nor is the address')
      const { store } = openServices(environment)
      const rows = await store.db.selectFrom('account_tokens').selectAll().execute()
      assert.equal(rows.length, 2, 'the welcome token and the reset token')
      for (const row of rows) {
        assert.ok(!row.token_hash.includes(token) && row.token_hash !== token)
      }
      const events = await store.db.selectFrom('audit_events').select('details').execute()
      assert.ok(events.every((event) => !event.details.includes(token)))
    })

    it('refuses a reset token after its hour, and forgets it at the next sweep', async (t) => {
      const smtp = await startSmtpServer(t)
      const clock = manualClock()
      const environment = await buildTestApp(t, { dialect, env: smtp.env, overrides: { clock } })
      const { app } = environment
      const user = await signUpV1(app, 'expiring')
      await smtp.nextMailTo(user.email)
      await expectStatus(v1(app, 'POST', '/auth/reset', { body: { email: user.email } }), 202)
      const token = tokenIn(await smtp.nextMailTo(user.email))

      clock.advance(3_600_000)
      const late = await v1(app, 'PUT', '/auth/reset', {
        body: { password: 'too late now', token },
      })
      assert.equal(late.status, 404)
      const { services } = openServices(environment, clock)
      const swept = await services.accounts.sweep()
      assert.equal(swept.accountTokens, 1, 'the reset token; the welcome token has three days')
    })

    it('rate-limits reset requests like the e-mail lookup', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const statuses: number[] = []
      for (let i = 0; i < 31; i += 1) {
        const answer = await v1(app, 'POST', '/auth/reset', {
          body: { email: `probe-${i}@example.com` },
        })
        statuses.push(answer.status)
      }
      assert.deepEqual(statuses.slice(0, 30), Array(30).fill(404))
      assert.equal(statuses[30], 429)
    })
  })
}
