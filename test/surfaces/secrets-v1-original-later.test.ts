import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildTestApp } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectStatus, v1 } from '../helpers/v1.js'

/**
 * The Go original's route tests for its later API (pm4devs-backend at its newest commit:
 * secrettests/get_test.go TestGetUsrSecrets and TestGetGroupSecrets), replayed request by
 * request with the bodies exactly as those tests send them. Their account tests (activate, reset,
 * delete) are replayed in secrets-v1-account-routes.test.ts, the documented API's in
 * secrets-v1-original.test.ts.
 */
for (const dialect of DIALECTS) {
  describe(`Secrets v1: the original's later-API tests (${dialect})`, () => {
    const login = async (app: Parameters<typeof v1>[0], raw: string): Promise<string> => {
      await expectStatus(v1(app, 'POST', '/auth/register', { raw }), 201)
      const answer = await expectStatus(v1(app, 'POST', '/auth/login', { raw }), 200)
      return (answer.body as { token: string }).token
    }

    it('TestGetUsrSecrets', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const token = await login(app, '{"email": "test@example.com", "password": "password"}')

      const authRequired = await v1(app, 'GET', '/secrets/user', { raw: '' })
      assert.equal(authRequired.status, 401)
      const empty = await v1(app, 'GET', '/secrets/user', { token })
      assert.equal(empty.status, 200)
      assert.deepEqual(empty.body, { message: 'Success!', data: [] })

      // The original seeds a secret through its model; here through the API, as a client would.
      await expectStatus(
        v1(app, 'POST', '/secrets', {
          token,
          raw: '{"encrypted_data": "Quo est illum voluptas.", "name": "Dr. Ada", "iv": "March"}',
        }),
        201,
      )
      const seeded = await v1(app, 'GET', '/secrets/user', { token })
      assert.equal(seeded.status, 200)
      const { message, data } = seeded.body as { message: string; data: unknown[] }
      assert.equal(message, 'Success!')
      assert.notEqual(data.length, 0)
      assert.equal(seeded.headers['content-type'], 'application/json')
      // The documented list answers that secret the way its read does: the later way.
      const documented = await v1(app, 'GET', '/user/secrets', { token })
      const [first] = (documented.body as { data: { iv?: string; encrypted_data: string }[] }).data
      assert.equal(Buffer.from(first?.iv ?? '', 'base64').toString(), 'March')
      assert.equal(
        Buffer.from(first?.encrypted_data ?? '', 'base64').toString(),
        'Quo est illum voluptas.',
      )
    })

    it('TestGetGroupSecrets', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const token = await login(app, '{"email": "test@example.com", "password": "password"}')
      await login(app, '{"email": "test2@example.com", "password": "password"}')
      const tokenThree = await login(app, '{"email": "test3@example.com", "password": "password"}')

      await expectStatus(
        v1(app, 'POST', '/groups', { token, raw: '{"group_name": "TestGroup"}' }),
        201,
      )
      await expectStatus(
        v1(app, 'POST', '/groups/add_user', { token, raw: '{"group_id": 1, "user_id": 2}' }),
        200,
      )
      await expectStatus(
        v1(app, 'POST', '/secrets', {
          token,
          raw: '{"encrypted_data": "test@example.com", "name": "testname", "iv": "testing"}',
        }),
        201,
      )
      await expectStatus(
        v1(app, 'POST', '/secrets/share/group', {
          token,
          raw: '{"secret_id": 1, "group_id": 1, "permission": "read-only"}',
        }),
        201,
      )

      const missing = await v1(app, 'GET', '/secrets/group', { token, raw: '{}' })
      assert.equal(missing.status, 422)
      assert.equal(
        (missing.body as { error: Record<string, string> }).error.group_id,
        'must be provided',
      )

      for (const name of ['GroupOwnerCanAccess', 'Success']) {
        const answer = await v1(app, 'GET', '/secrets/group', { token, raw: '{"group_id": 1}' })
        assert.equal(answer.status, 200, name)
        const { message, data } = answer.body as {
          message: string
          data: { encrypted_data: string; iv: string }[]
        }
        assert.equal(message, 'Success!')
        assert.ok(data.length > 0)
        // Go's SecretRecord holds []byte: base64 of what was sent.
        assert.equal(
          Buffer.from(data[0]?.encrypted_data ?? '', 'base64').toString(),
          'test@example.com',
        )
        assert.equal(Buffer.from(data[0]?.iv ?? '', 'base64').toString(), 'testing')
      }

      const unauthorized = await v1(app, 'GET', '/secrets/group', {
        token: tokenThree,
        raw: '{"group_id": 1}',
      })
      assert.equal(unauthorized.status, 401)
      assert.equal(
        (unauthorized.body as { message: string }).message,
        'Only group members can access secrets.',
      )
    })
  })
}
