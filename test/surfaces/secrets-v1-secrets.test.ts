import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import type { FastifyInstance } from 'fastify'

import { buildTestApp, deleteUserRow, openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectStatus, signUpV1, v1 } from '../helpers/v1.js'

async function create(app: FastifyInstance, token: string, name: string, data: string) {
  const response = await expectStatus(
    v1(app, 'POST', '/secrets', { token, body: { name, encrypted_data: data } }),
    201,
  )
  return (response.body as { secret_id: number }).secret_id
}

/** Secrets on surface 2 (docs/surfaces/2-secrets-v1.md): storage, bodies, methods, lists. */
for (const dialect of DIALECTS) {
  describe(`Secrets v1 secrets (${dialect})`, () => {
    it('returns encrypted_data and name exactly as they were sent', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const owner = await signUpV1(app)
      const values = [
        'ключ 🔑 秘密 עברית e\u0301 \u0000 "quoted" \\ back\nslash\t',
        'x'.repeat(60_000),
        'U2FsdGVkX1+vupppZksvRf5pq5g5XjFRlipRkwB0K1Y96Qsv2Lm+31cmzaAILwyt',
        '  leading and trailing spaces  ',
        '{"looks":"like json"}',
        '🏳️‍🌈👩🏽‍💻',
      ]
      for (const value of values) {
        const id = await create(app, owner.token, value.slice(0, 200), value)
        const read = await v1(app, 'GET', '/secrets', {
          token: owner.token,
          body: { secret_id: id },
        })
        const data = (read.body as { data: { name: string; encrypted_data: string } }).data
        assert.ok(Buffer.from(data.encrypted_data, 'utf8').equals(Buffer.from(value, 'utf8')))
        assert.equal(data.name, value.slice(0, 200))
        assert.equal(read.headers['cache-control'], 'no-store')
      }
      const listed = await v1(app, 'GET', '/user/secrets', { token: owner.token })
      const data = (listed.body as { data: { encrypted_data: string }[] }).data
      assert.deepEqual(
        data.map((secret) => secret.encrypted_data),
        values,
      )

      // Text UTF-8 cannot carry (a lone surrogate) is refused rather than silently changed.
      for (const [field, body] of [
        ['encrypted_data', { name: 'n', encrypted_data: 'a\ud800b' }],
        ['name', { name: '\udfff', encrypted_data: 'x' }],
      ] as const) {
        const response = await v1(app, 'POST', '/secrets', { token: owner.token, body })
        assert.deepEqual(response.body, { error: { [field]: 'must be valid Unicode text' } })
        assert.equal(response.status, 422)
      }
    })

    it('updates name and value, keeping them exact, and answers the documented keys', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const owner = await signUpV1(app)
      const id = await create(app, owner.token, 'old', 'old-data')
      const update = await v1(app, 'PATCH', '/secrets', {
        token: owner.token,
        body: { secret_id: id, name: 'new ✓', encrypted_data: 'new-data==' },
      })
      assert.deepEqual(
        { status: update.status, body: update.body },
        { status: 200, body: { message: 'Success!' } },
      )
      const read = await v1(app, 'GET', '/secrets', { token: owner.token, body: { secret_id: id } })
      const { message, data } = read.body as { message: string; data: Record<string, unknown> }
      assert.equal(message, 'Success!')
      assert.deepEqual(Object.keys(data).sort(), [
        'created_at',
        'encrypted_data',
        'name',
        'owner_id',
        'permission',
        'secret_id',
        'updated_at',
      ])
      assert.deepEqual(
        [data.secret_id, data.name, data.encrypted_data, data.owner_id, data.permission],
        [id, 'new ✓', 'new-data==', owner.id, 'owner'],
      )
    })

    it('reads JSON bodies on GET and DELETE whatever the Content-Type, with every body guard', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const owner = await signUpV1(app)
      const id = await create(app, owner.token, 'n', 'd')
      const raw = JSON.stringify({ secret_id: id })
      for (const type of [undefined, 'application/json', 'text/plain']) {
        const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type }
        const read = await v1(app, 'GET', '/secrets', { token: owner.token, raw, headers })
        assert.equal(read.status, 200, String(type))
      }
      // Unknown keys are ignored; a `__proto__` key is dropped before anything reads it.
      const polluted = await v1(app, 'GET', '/secrets', {
        token: owner.token,
        raw: `{"secret_id": ${id}, "iv": "x", "__proto__": {"secret_id": 999}}`,
      })
      assert.equal(polluted.status, 200)

      const cases: [raw: string, status: number, body: unknown][] = [
        ['', 400, { error: 'Request body cannot be empty' }],
        ['   ', 400, { error: 'Request body cannot be empty' }],
        ['{"secret_id": }', 400, { error: 'Request body is malformed' }],
        ['[1]', 400, { error: 'Request body must be a JSON object' }],
        ['null', 400, { error: 'Request body must be a JSON object' }],
        [
          '{"secret_id": "1"}',
          400,
          { error: 'Request body contains an invalid value for the "secret_id" field' },
        ],
        [
          '{"secret_id": 1.5}',
          400,
          { error: 'Request body contains an invalid value for the "secret_id" field' },
        ],
        ['{"secret_id": null}', 422, { error: { secret_id: 'must be provided' } }],
        ['{"secret_id": -4}', 422, { error: { secret_id: 'must be provided' } }],
        [
          '{"secret_id": 2147483648}',
          422,
          { error: { secret_id: 'must not be greater than 2147483647' } },
        ],
        ['{}', 422, { error: { secret_id: 'must be provided' } }],
        [`${'['.repeat(40)}${']'.repeat(40)}`, 400, { error: 'Request body is malformed' }],
        ['{"secret_id": 424242}', 404, { error: 'No secret found with id: 424242' }],
      ]
      for (const method of ['GET', 'DELETE'] as const) {
        for (const [body, status, expected] of cases) {
          const response = await v1(app, method, '/secrets', { token: owner.token, raw: body })
          assert.deepEqual(
            { status: response.status, body: response.body },
            { status, body: expected },
            `${method} ${body}`,
          )
        }
      }

      // Body limits come before the token: an oversized GET body is 413 without one.
      const huge = JSON.stringify({ secret_id: id, pad: 'x'.repeat(70_000) })
      for (const method of ['GET', 'DELETE'] as const) {
        const tooLarge = await v1(app, method, '/secrets', { raw: huge })
        assert.deepEqual(
          { status: tooLarge.status, body: tooLarge.body },
          { status: 413, body: { error: 'Request body is too large' } },
          method,
        )
      }
      // A well-formed body without a token is 401, before the body is judged.
      const anonymous = await v1(app, 'GET', '/secrets', { raw: '{}' })
      assert.deepEqual(anonymous.body, { error: 'Authorization required' })

      const deleted = await v1(app, 'DELETE', '/secrets', { token: owner.token, raw })
      assert.equal(deleted.status, 204)
      const gone = await v1(app, 'GET', '/secrets', { token: owner.token, raw })
      assert.deepEqual(gone.body, { error: `No secret found with id: ${id}` })
    })

    it('answers 405 with Allow on every known path, and 404 in its dialect elsewhere under /v1', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const owner = await signUpV1(app)
      const paths: [path: string, allow: string][] = [
        ['/auth/register', 'POST'],
        ['/auth/login', 'POST'],
        ['/auth/logout', 'POST'],
        ['/users/me', 'GET, HEAD'],
        ['/users', 'GET, HEAD'],
        ['/secrets', 'GET, POST, PATCH, DELETE, HEAD'],
        ['/user/secrets', 'GET, HEAD'],
        ['/secrets/shared', 'GET, HEAD'],
        ['/secrets/share/user', 'POST, PATCH, DELETE'],
        ['/secrets/update/user', 'PATCH'],
        ['/secrets/revoke/user', 'DELETE'],
        ['/secrets/share/group', 'POST, PATCH, DELETE'],
        ['/groups', 'GET, POST, PATCH, DELETE, HEAD'],
        ['/groups/add_user', 'POST'],
        ['/groups/remove_user', 'POST'],
      ]
      for (const [path, allow] of paths) {
        const allowed = allow.split(', ')
        for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
          if (allowed.includes(method)) continue
          const response = await v1(app, method, path, { token: owner.token })
          assert.deepEqual(
            { status: response.status, allow: response.headers.allow, body: response.body },
            { status: 405, allow, body: { error: 'Method not allowed' } },
            `${method} ${path}`,
          )
        }
      }
      for (const path of ['/nope', '/secrets/share', '/secrets/share/users', '/groups/x']) {
        const response = await v1(app, 'GET', path, { token: owner.token })
        assert.deepEqual(
          { status: response.status, body: response.body },
          { status: 404, body: { error: 'The requested resource does not exist' } },
          path,
        )
      }
    })

    it("lists the caller's own secrets, and what others shared with them at its strongest", async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const alice = await signUpV1(app, 'alice')
      const bob = await signUpV1(app, 'bob')
      assert.deepEqual((await v1(app, 'GET', '/user/secrets', { token: bob.token })).body, {
        message: 'Success!',
        data: [],
      })
      assert.deepEqual((await v1(app, 'GET', '/secrets/shared', { token: bob.token })).body, {
        message: 'Success!',
        data: [],
      })
      const first = await create(app, alice.token, 'first', 'one')
      const second = await create(app, alice.token, 'second', 'two')
      await create(app, bob.token, "bob's own", 'three')
      const group = await expectStatus(
        v1(app, 'POST', '/groups', { token: alice.token, body: { group_name: 'alice-team' } }),
        201,
      )
      const groupId = (group.body as { data: { id: number } }).data.id
      await expectStatus(
        v1(app, 'POST', '/groups/add_user', {
          token: alice.token,
          body: { group_id: groupId, user_id: bob.id },
        }),
        200,
      )
      const share = (body: Record<string, unknown>, kind: 'user' | 'group') =>
        expectStatus(v1(app, 'POST', `/secrets/share/${kind}`, { token: alice.token, body }), 201)
      await share({ secret_id: first, user_id: bob.id, permission: 'read-only' }, 'user')
      await share({ secret_id: first, group_id: groupId, permission: 'read-write' }, 'group')
      await share({ secret_id: second, group_id: groupId, permission: 'read-only' }, 'group')

      const shared = await v1(app, 'GET', '/secrets/shared', { token: bob.token })
      const data = (shared.body as { data: { secret_id: number }[] }).data
      assert.deepEqual(
        [...data].sort((a, b) => a.secret_id - b.secret_id),
        [
          { secret_id: first, name: 'first', owner_id: alice.id, permission: 'read-write' },
          { secret_id: second, name: 'second', owner_id: alice.id, permission: 'read-only' },
        ],
      )
      // The owner is a member of the group too, but her own secrets are not "shared with" her.
      assert.deepEqual((await v1(app, 'GET', '/secrets/shared', { token: alice.token })).body, {
        message: 'Success!',
        data: [],
      })
      const own = await v1(app, 'GET', '/user/secrets', { token: alice.token })
      assert.deepEqual(
        (own.body as { data: { name: string; permission: string }[] }).data.map((s) => [
          s.name,
          s.permission,
        ]),
        [
          ['first', 'owner'],
          ['second', 'owner'],
        ],
      )
    })

    it("forgets a deleted user's secrets, groups and grants with them", async (t) => {
      const { app, ...environment } = await buildTestApp(t, { dialect })
      const alice = await signUpV1(app, 'alice')
      const bob = await signUpV1(app, 'bob')
      const id = await create(app, alice.token, 'n', 'd')
      await expectStatus(
        v1(app, 'POST', '/secrets/share/user', {
          token: alice.token,
          body: { secret_id: id, user_id: bob.id, permission: 'read-only' },
        }),
        201,
      )
      await expectStatus(
        v1(app, 'POST', '/groups', { token: alice.token, body: { group_name: 'alice-team' } }),
        201,
      )
      const { store } = openServices(environment)
      assert.equal(await deleteUserRow(store, alice.id), true)
      for (const table of [
        'vault_secrets',
        'vault_user_grants',
        'vault_groups',
        'vault_group_members',
      ] as const) {
        const rows = await store.db.selectFrom(table).selectAll().execute()
        assert.deepEqual(rows, [], table)
      }
      assert.deepEqual((await v1(app, 'GET', '/secrets/shared', { token: bob.token })).body, {
        message: 'Success!',
        data: [],
      })
    })
  })
}
