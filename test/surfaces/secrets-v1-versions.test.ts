import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import type { FastifyInstance } from 'fastify'

import { buildTestApp, openServices, runBehindTheBack } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectStatus, signUpV1, v1 } from '../helpers/v1.js'
import type { V1Response } from '../helpers/v1.js'

const answer = (response: V1Response) => ({ status: response.status, body: response.body })

interface Listed {
  data: { version: number; name: string; current: boolean; created_at: string }[]
}
interface Read {
  data: { secret_id: number; version: number; name: string; encrypted_data: string }
}

async function setup(app: FastifyInstance) {
  const owner = await signUpV1(app, 'owner')
  const writer = await signUpV1(app, 'writer')
  const reader = await signUpV1(app, 'reader')
  const viaGroup = await signUpV1(app, 'member')
  const stranger = await signUpV1(app, 'stranger')
  const created = await expectStatus(
    v1(app, 'POST', '/secrets', {
      token: owner.token,
      body: { name: 'db', encrypted_data: 'one' },
    }),
    201,
  )
  const secretId = (created.body as { secret_id: number }).secret_id
  const share = (user_id: number, permission: string) =>
    expectStatus(
      v1(app, 'POST', '/secrets/share/user', {
        token: owner.token,
        body: { secret_id: secretId, user_id, permission },
      }),
      201,
    )
  await share(writer.id, 'read-write')
  await share(reader.id, 'read-only')
  const group = await expectStatus(
    v1(app, 'POST', '/groups', { token: owner.token, body: { group_name: 'readers' } }),
    201,
  )
  const group_id = (group.body as { data: { id: number } }).data.id
  await expectStatus(
    v1(app, 'POST', '/groups/add_user', {
      token: owner.token,
      body: { group_id, user_id: viaGroup.id },
    }),
    200,
  )
  await expectStatus(
    v1(app, 'POST', '/secrets/share/group', {
      token: owner.token,
      body: { secret_id: secretId, group_id, permission: 'read-only' },
    }),
    201,
  )
  const update = (token: string, name: string, data: string) =>
    v1(app, 'PATCH', '/secrets', {
      token,
      body: { secret_id: secretId, name, encrypted_data: data },
    })
  return { owner, writer, reader, viaGroup, stranger, secretId, update }
}

/** Secret versions on surface 2 (docs/surfaces/2-secrets-v1.md "Versions"). */
for (const dialect of DIALECTS) {
  describe(`Secrets v1 versions (${dialect})`, () => {
    it('lists the versions routes in the OpenAPI document', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
        paths: Record<string, Record<string, unknown>>
      }>()
      assert.ok(spec.paths['/v1/secrets/{secret_id}/versions']?.get)
      assert.ok(spec.paths['/v1/secrets/{secret_id}/versions/{version}']?.get)
      assert.ok(spec.paths['/v1/secrets/{secret_id}/versions/{version}/rollback']?.post)
    })

    it('keeps every earlier value, reads any of them, and rolls back as a new version', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const { owner, writer, secretId, update } = await setup(app)
      const path = `/secrets/${secretId}/versions`

      // A new secret is version 1, with nothing kept yet.
      const fresh = await expectStatus(v1(app, 'GET', path, { token: owner.token }), 200)
      assert.deepEqual(
        (fresh.body as Listed).data.map((v) => [v.version, v.name, v.current]),
        [[1, 'db', true]],
      )

      // The documented PATCH answers exactly as before.
      assert.deepEqual(answer(await update(owner.token, 'db', 'two')), {
        status: 200,
        body: { message: 'Success!' },
      })
      await expectStatus(update(writer.token, 'db-renamed', 'three'), 200)

      const listed = await expectStatus(v1(app, 'GET', path, { token: owner.token }), 200)
      assert.deepEqual(
        (listed.body as Listed).data.map((v) => [v.version, v.name, v.current]),
        [
          [3, 'db-renamed', true],
          [2, 'db', false],
          [1, 'db', false],
        ],
      )
      const one = await expectStatus(v1(app, 'GET', `${path}/1`, { token: owner.token }), 200)
      assert.deepEqual((one.body as Read).data, {
        secret_id: secretId,
        version: 1,
        name: 'db',
        encrypted_data: 'one',
        created_at: (one.body as Read & { data: { created_at: string } }).data.created_at,
        current: false,
      })
      const three = await expectStatus(v1(app, 'GET', `${path}/3`, { token: owner.token }), 200)
      assert.equal((three.body as Read).data.encrypted_data, 'three')

      // Rolling back to version 1 writes its name and value as version 4.
      assert.deepEqual(
        answer(await v1(app, 'POST', `${path}/1/rollback`, { token: writer.token })),
        {
          status: 200,
          body: {
            message: 'Success! The secret was rolled back.',
            data: { secret_id: secretId, version: 4, restored_from: 1 },
          },
        },
      )
      const read = await expectStatus(
        v1(app, 'GET', '/secrets', { token: owner.token, body: { secret_id: secretId } }),
        200,
      )
      assert.equal((read.body as Read).data.encrypted_data, 'one')
      assert.equal((read.body as Read).data.name, 'db')
      const afterRollback = await expectStatus(v1(app, 'GET', path, { token: owner.token }), 200)
      assert.deepEqual(
        (afterRollback.body as Listed).data.map((v) => [v.version, v.current]),
        [
          [4, true],
          [3, false],
          [2, false],
          [1, false],
        ],
      )
      const kept = await expectStatus(v1(app, 'GET', `${path}/3`, { token: owner.token }), 200)
      assert.equal((kept.body as Read).data.encrypted_data, 'three')

      // Unknown versions and secrets: the surface's 404s.
      assert.deepEqual(answer(await v1(app, 'GET', `${path}/99`, { token: owner.token })), {
        status: 404,
        body: { error: 'No version found with number: 99' },
      })
      assert.deepEqual(
        answer(await v1(app, 'POST', `${path}/99/rollback`, { token: owner.token })),
        { status: 404, body: { error: 'No version found with number: 99' } },
      )
      assert.deepEqual(
        answer(await v1(app, 'GET', '/secrets/99999/versions', { token: owner.token })),
        { status: 404, body: { error: 'No secret found with id: 99999' } },
      )
      // Bad path parameters are the surface's 422s; no token is its 401; other methods 405.
      assert.deepEqual(answer(await v1(app, 'GET', `${path}/abc`, { token: owner.token })), {
        status: 422,
        body: { error: { version: 'is invalid' } },
      })
      assert.deepEqual(answer(await v1(app, 'GET', `${path}/0`, { token: owner.token })), {
        status: 422,
        body: { error: { version: 'must be provided' } },
      })
      assert.deepEqual(
        answer(await v1(app, 'GET', '/secrets/3000000000/versions', { token: owner.token })),
        { status: 422, body: { error: { secret_id: 'must not be greater than 2147483647' } } },
      )
      assert.equal((await v1(app, 'GET', path)).status, 401)
      assert.equal((await v1(app, 'DELETE', path, { token: owner.token })).status, 405)
      assert.equal((await v1(app, 'GET', `${path}/1/rollback`, { token: owner.token })).status, 405)
    })

    it('lets readers list and read versions, and only updaters roll back; every step is audited', async (t) => {
      const environment = await buildTestApp(t, { dialect })
      const { app } = environment
      const { owner, writer, reader, viaGroup, stranger, secretId, update } = await setup(app)
      const path = `/secrets/${secretId}/versions`
      await expectStatus(update(owner.token, 'db', 'two'), 200)

      for (const user of [owner, writer, reader, viaGroup]) {
        await expectStatus(v1(app, 'GET', path, { token: user.token }), 200)
        const old = await expectStatus(v1(app, 'GET', `${path}/1`, { token: user.token }), 200)
        assert.equal((old.body as Read).data.encrypted_data, 'one')
      }
      for (const pathToRead of [path, `${path}/1`]) {
        assert.deepEqual(answer(await v1(app, 'GET', pathToRead, { token: stranger.token })), {
          status: 401,
          body: { message: 'Only owner or shared users can read a secret' },
        })
      }
      for (const user of [reader, viaGroup, stranger]) {
        assert.deepEqual(
          answer(await v1(app, 'POST', `${path}/1/rollback`, { token: user.token })),
          { status: 401, body: { message: 'Only owner can update a secret' } },
        )
      }
      const current = await expectStatus(
        v1(app, 'GET', '/secrets', { token: owner.token, body: { secret_id: secretId } }),
        200,
      )
      assert.equal((current.body as Read).data.encrypted_data, 'two')
      await expectStatus(v1(app, 'POST', `${path}/1/rollback`, { token: owner.token }), 200)

      const { store } = openServices(environment)
      const events = await store.db
        .selectFrom('audit_events')
        .select(['type', 'actor_id', 'outcome', 'target_id'])
        .where('type', 'in', [
          'vault.secret.version.list',
          'vault.secret.version.read',
          'vault.secret.rollback',
        ])
        .orderBy('id')
        .execute()
      const count = (type: string, outcome: string, actor?: number) =>
        events.filter(
          (e) =>
            e.type === type &&
            e.outcome === outcome &&
            (actor === undefined || e.actor_id === actor) &&
            e.target_id === String(secretId),
        ).length
      assert.equal(count('vault.secret.version.list', 'success'), 4)
      assert.equal(count('vault.secret.version.read', 'success'), 4)
      assert.equal(count('vault.secret.version.list', 'denied', stranger.id), 1)
      assert.equal(count('vault.secret.version.read', 'denied', stranger.id), 1)
      assert.equal(count('vault.secret.rollback', 'denied'), 3)
      assert.equal(count('vault.secret.rollback', 'success', owner.id), 1)
    })

    it('numbers concurrent updates one after another and keeps each value they replaced', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const { owner, writer, secretId, update } = await setup(app)
      const values = Array.from({ length: 8 }, (_, index) => `concurrent-${index}`)
      const answers = await Promise.all(
        values.map((value, index) =>
          update(index % 2 === 0 ? owner.token : writer.token, 'db', value),
        ),
      )
      assert.deepEqual(
        answers.map((response) => response.status),
        values.map(() => 200),
      )
      const listed = await expectStatus(
        v1(app, 'GET', `/secrets/${secretId}/versions`, { token: owner.token }),
        200,
      )
      const versions = (listed.body as Listed).data.map((v) => v.version)
      assert.deepEqual(versions, [9, 8, 7, 6, 5, 4, 3, 2, 1])
      // Every value written is there exactly once, as one of the versions.
      const seen: string[] = []
      for (const version of versions) {
        const read = await expectStatus(
          v1(app, 'GET', `/secrets/${secretId}/versions/${version}`, { token: owner.token }),
          200,
        )
        seen.push((read.body as Read).data.encrypted_data)
      }
      assert.deepEqual(seen.sort(), ['one', ...values].sort())
    })

    it('keeps at most VAULT_VERSIONS_KEPT earlier values and deletes them with the secret', async (t) => {
      const environment = await buildTestApp(t, {
        dialect,
        env: { VAULT_VERSIONS_KEPT: '2' },
      })
      const { app } = environment
      const { owner, secretId, update } = await setup(app)
      for (const value of ['two', 'three', 'four', 'five']) {
        await expectStatus(update(owner.token, 'db', value), 200)
      }
      const path = `/secrets/${secretId}/versions`
      const listed = await expectStatus(v1(app, 'GET', path, { token: owner.token }), 200)
      assert.deepEqual(
        (listed.body as Listed).data.map((v) => v.version),
        [5, 4, 3],
      )
      assert.equal((await v1(app, 'GET', `${path}/2`, { token: owner.token })).status, 404)

      const { store } = openServices(environment)
      const rows = async () =>
        (
          await store.db
            .selectFrom('vault_secret_versions')
            .select('version')
            .where('secret_id', '=', secretId)
            .execute()
        ).length
      assert.equal(await rows(), 2)
      await expectStatus(
        v1(app, 'DELETE', '/secrets', { token: owner.token, body: { secret_id: secretId } }),
        204,
      )
      assert.equal(await rows(), 0)
    })

    it('refuses a kept version copied onto another version or onto the current value', async (t) => {
      const environment = await buildTestApp(t, { dialect })
      const { app } = environment
      const { owner, secretId, update } = await setup(app)
      await expectStatus(update(owner.token, 'db', 'two'), 200)
      await expectStatus(update(owner.token, 'db', 'three'), 200)
      // Version 1's sealed value, moved onto version 2 by someone with write access to the store:
      // the AAD names the version, so it does not open there, and the read fails loudly.
      await runBehindTheBack(
        environment,
        `update vault_secret_versions set data_sealed = (select data_sealed from vault_secret_versions where secret_id = ${secretId} and version = 1) where secret_id = ${secretId} and version = 2`,
        `update vault_secrets set data_sealed = (select data_sealed from vault_secret_versions where secret_id = ${secretId} and version = 1) where id = ${secretId}`,
      )
      const path = `/secrets/${secretId}/versions`
      assert.equal((await v1(app, 'GET', `${path}/1`, { token: owner.token })).status, 200)
      assert.equal((await v1(app, 'GET', `${path}/2`, { token: owner.token })).status, 500)
      assert.equal(
        (await v1(app, 'GET', '/secrets', { token: owner.token, body: { secret_id: secretId } }))
          .status,
        500,
      )
    })
  })
}
