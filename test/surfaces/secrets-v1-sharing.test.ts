import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import type { FastifyInstance } from 'fastify'

import { buildTestApp, openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectStatus, signUpV1, v1 } from '../helpers/v1.js'
import type { V1Response } from '../helpers/v1.js'

const answer = (response: V1Response) => ({ status: response.status, body: response.body })

async function setup(app: FastifyInstance) {
  const alice = await signUpV1(app, 'alice')
  const bob = await signUpV1(app, 'bob')
  const carol = await signUpV1(app, 'carol')
  const created = await expectStatus(
    v1(app, 'POST', '/secrets', { token: alice.token, body: { name: 'n', encrypted_data: 'd' } }),
    201,
  )
  const secretId = (created.body as { secret_id: number }).secret_id
  const group = async (token: string, name: string) => {
    const response = await expectStatus(
      v1(app, 'POST', '/groups', { token, body: { group_name: name } }),
      201,
    )
    return (response.body as { data: { id: number } }).data.id
  }
  return { alice, bob, carol, secretId, group }
}

/** Sharing and groups beyond the matrix: what the contract leaves open, and the audit trail. */
for (const dialect of DIALECTS) {
  describe(`Secrets v1 sharing and groups (${dialect})`, () => {
    it('shares only with real users other than the owner, and changes only existing shares', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const { alice, bob, carol, secretId } = await setup(app)
      const call = (
        method: 'POST' | 'PATCH' | 'DELETE',
        body: Record<string, unknown>,
        token = alice.token,
      ) => v1(app, method, '/secrets/share/user', { token, body: { secret_id: secretId, ...body } })

      assert.deepEqual(answer(await call('POST', { user_id: 99_999, permission: 'read-only' })), {
        status: 404,
        body: { error: 'No user found with id: 99999' },
      })
      assert.deepEqual(answer(await call('POST', { user_id: alice.id, permission: 'read-only' })), {
        status: 422,
        body: { error: { user_id: "must not be the secret's owner" } },
      })
      assert.deepEqual(answer(await call('PATCH', { user_id: bob.id, permission: 'read-write' })), {
        status: 404,
        body: { error: `The secret is not shared with user: ${bob.id}` },
      })
      assert.deepEqual(answer(await call('DELETE', { user_id: bob.id })), {
        status: 404,
        body: { error: `The secret is not shared with user: ${bob.id}` },
      })

      // Sharing again sets the new permission.
      await expectStatus(call('POST', { user_id: bob.id, permission: 'read-only' }), 201)
      const update = { secret_id: secretId, name: 'n2', encrypted_data: 'd2' }
      assert.equal(
        (await v1(app, 'PATCH', '/secrets', { token: bob.token, body: update })).status,
        401,
      )
      await expectStatus(call('POST', { user_id: bob.id, permission: 'read-write' }), 201)
      assert.equal(
        (await v1(app, 'PATCH', '/secrets', { token: bob.token, body: update })).status,
        200,
      )

      // A stranger learns that an id exists (401) or not (404), never more: the contract's
      // 404 for unknown ids and 401 for refusals, in that order, on every route.
      assert.deepEqual(
        answer(await call('POST', { user_id: carol.id, permission: 'read-only' }, carol.token)),
        {
          status: 401,
          body: { message: 'Only secret owner can manage access' },
        },
      )
      const unknown = await v1(app, 'DELETE', '/secrets/share/user', {
        token: carol.token,
        body: { secret_id: 777_777, user_id: carol.id },
      })
      assert.deepEqual(answer(unknown), {
        status: 404,
        body: { error: 'No secret found with id: 777777' },
      })
    })

    it('shares with a group only from inside it, and always lets the owner take a share back', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const { alice, bob, secretId, group } = await setup(app)
      const bobs = await group(bob.token, 'bobs-team')
      const share = (method: 'POST' | 'PATCH' | 'DELETE', permission?: string) =>
        v1(app, method, '/secrets/share/group', {
          token: alice.token,
          body: {
            secret_id: secretId,
            group_id: bobs,
            ...(permission === undefined ? {} : { permission }),
          },
        })
      const outsider = {
        status: 401,
        body: { message: 'Only members of a group can share secrets with it' },
      }
      assert.deepEqual(answer(await share('POST', 'read-only')), outsider)
      assert.deepEqual(
        answer(
          await v1(app, 'POST', '/secrets/share/group', {
            token: alice.token,
            body: { secret_id: secretId, group_id: 4242, permission: 'read-only' },
          }),
        ),
        { status: 404, body: { error: 'No group found with id: 4242' } },
      )

      const membership = { group_id: bobs, user_id: alice.id }
      await expectStatus(
        v1(app, 'POST', '/groups/add_user', { token: bob.token, body: membership }),
        200,
      )
      await expectStatus(share('POST', 'read-only'), 201)
      await expectStatus(
        v1(app, 'POST', '/groups/remove_user', { token: bob.token, body: membership }),
        200,
      )
      assert.deepEqual(answer(await share('PATCH', 'read-write')), outsider)
      assert.deepEqual(answer(await share('DELETE')), {
        status: 200,
        body: { message: 'Permission revoked successfully for the group.' },
      })
      assert.deepEqual(answer(await share('DELETE')), {
        status: 404,
        body: { error: `The secret is not shared with group: ${bobs}` },
      })
    })

    it('acts only on the fields a route names, whatever else a body carries', async (t) => {
      const { app, ...environment } = await buildTestApp(t, { dialect })
      const { alice, bob, secretId, group } = await setup(app)
      const team = await group(alice.token, 'alice-team')
      // A group share that also names a user shares with the group, and only with it.
      const shared = await v1(app, 'POST', '/secrets/share/group', {
        token: alice.token,
        body: { secret_id: secretId, group_id: team, user_id: bob.id, permission: 'read-write' },
      })
      assert.deepEqual(answer(shared), {
        status: 201,
        body: { message: 'Secret shared successfully with the group.' },
      })
      const read = await v1(app, 'GET', '/secrets', {
        token: bob.token,
        body: { secret_id: secretId },
      })
      assert.equal(read.status, 401)
      // Registration here cannot slip in fields the route does not take (another surface's).
      const registered = await v1(app, 'POST', '/auth/register', {
        body: {
          email: 'x@example.com',
          password: '12345678',
          phone: '555',
          address: 'A',
          role: 'admin',
        },
      })
      assert.equal(registered.status, 201)
      const { store } = openServices(environment)
      const user = await store.db
        .selectFrom('users')
        .select(['phone_sealed', 'address_sealed', 'role'])
        .where('email', '=', 'x@example.com')
        .executeTakeFirstOrThrow()
      assert.deepEqual(user, { phone_sealed: null, address_sealed: null, role: 'user' })
    })

    it('keeps group names unique ignoring case and membership changes to the creator', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const { alice, bob, carol, group } = await setup(app)
      const team = await group(alice.token, 'Blue Team')
      await group(bob.token, 'Red Team')
      const post = (path: string, body: unknown, token = alice.token) =>
        v1(app, 'POST', path, { token, body })

      assert.deepEqual(answer(await post('/groups', { group_name: 'BLUE team' })), {
        status: 409,
        body: { error: 'A group with that name already exists' },
      })
      const rename = (name: string) =>
        v1(app, 'PATCH', '/groups', {
          token: alice.token,
          body: { group_id: team, new_group_name: name },
        })
      assert.deepEqual(answer(await rename('red TEAM')), {
        status: 409,
        body: { error: 'A group with that name already exists' },
      })
      assert.equal((await rename('BLUE TEAM')).status, 200)
      for (const [name, message] of [
        ['tab\there', 'must not contain control characters'],
        ['x'.repeat(101), 'must not be more than 100 characters'],
        ['', 'must be provided'],
      ] as const) {
        assert.deepEqual(answer(await post('/groups', { group_name: name })), {
          status: 422,
          body: { error: { group_name: message } },
        })
      }

      const add = (user_id: number) => post('/groups/add_user', { group_id: team, user_id })
      await expectStatus(add(bob.id), 200)
      assert.deepEqual(answer(await add(bob.id)), {
        status: 409,
        body: { error: 'That user is already a member of the group' },
      })
      // An id nobody has is answered like a known one (and adds nobody): adding people must
      // not tell the adder which ids are accounts.
      assert.deepEqual(answer(await add(55_555)), { status: 200, body: { Message: 'Success!' } })
      assert.deepEqual(
        answer(await post('/groups/remove_user', { group_id: team, user_id: carol.id })),
        {
          status: 404,
          body: { error: `The user is not a member of the group: ${carol.id}` },
        },
      )
      // A member, not the creator, can look but not change anything.
      assert.equal(
        (await v1(app, 'GET', '/groups', { token: bob.token, body: { group_id: team } })).status,
        200,
      )
      assert.deepEqual(
        answer(await post('/groups/add_user', { group_id: team, user_id: carol.id }, bob.token)),
        {
          status: 401,
          body: { Message: 'Only owner can add members to the group' },
        },
      )

      const missing = { status: 404, body: { error: 'No group found with id: 9999' } }
      assert.deepEqual(
        answer(await v1(app, 'GET', '/groups', { token: alice.token, body: { group_id: 9999 } })),
        missing,
      )
      assert.deepEqual(
        answer(
          await v1(app, 'PATCH', '/groups', {
            token: alice.token,
            body: { group_id: 9999, new_group_name: 'whatever' },
          }),
        ),
        missing,
      )
      assert.deepEqual(
        answer(
          await v1(app, 'DELETE', '/groups', { token: alice.token, body: { group_id: 9999 } }),
        ),
        missing,
      )
      assert.deepEqual(
        answer(await post('/groups/add_user', { group_id: 9999, user_id: bob.id })),
        missing,
      )
    })

    it('caps how many groups one user creates', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const user = await signUpV1(app)
      for (let i = 0; i < 100; i++) {
        await expectStatus(
          v1(app, 'POST', '/groups', { token: user.token, body: { group_name: `group-${i}` } }),
          201,
        )
      }
      const over = await v1(app, 'POST', '/groups', {
        token: user.token,
        body: { group_name: 'group-100' },
      })
      assert.deepEqual(answer(over), {
        status: 409,
        body: { error: 'A user can create at most 100 groups' },
      })
    })

    it('puts every action, allowed or refused, on the audit chain with actor and target', async (t) => {
      const { app, ...environment } = await buildTestApp(t, { dialect })
      const { alice, bob, secretId, group } = await setup(app)
      const as = (token: string) => ({
        post: (path: string, body: unknown) => v1(app, 'POST', path, { token, body }),
        patch: (path: string, body: unknown) => v1(app, 'PATCH', path, { token, body }),
        get: (path: string, body?: unknown) =>
          v1(app, 'GET', path, body === undefined ? { token } : { token, body }),
        delete: (path: string, body: unknown) => v1(app, 'DELETE', path, { token, body }),
      })
      const a = as(alice.token)
      const b = as(bob.token)
      const secret = { secret_id: secretId }
      const update = { ...secret, name: 'NAME-MARKER', encrypted_data: 'VALUE-MARKER' }
      await b.get('/secrets', secret) // denied
      await a.get('/secrets', secret)
      await a.patch('/secrets', update)
      await a.post('/secrets/share/user', { ...secret, user_id: bob.id, permission: 'read-only' })
      await b.patch('/secrets', update) // denied: read-only
      await a.patch('/secrets/share/user', { ...secret, user_id: bob.id, permission: 'read-write' })
      await b.post('/secrets/share/user', { ...secret, user_id: bob.id, permission: 'read-write' }) // denied
      await a.delete('/secrets/share/user', { ...secret, user_id: bob.id })
      const team = await group(alice.token, 'alice-team')
      await b.get('/groups', { group_id: team }) // denied
      await a.post('/groups/add_user', { group_id: team, user_id: bob.id })
      await a.post('/secrets/share/group', { ...secret, group_id: team, permission: 'read-only' })
      await a.get('/groups', { group_id: team })
      await a.patch('/groups', { group_id: team, new_group_name: 'alice-team-2' })
      await a.get('/user/secrets')
      await b.get('/secrets/shared')
      await a.post('/groups/remove_user', { group_id: team, user_id: bob.id })
      await b.delete('/groups', { group_id: team }) // denied
      await a.delete('/groups', { group_id: team })
      await b.delete('/secrets', secret) // denied
      await a.delete('/secrets', secret)

      const { services, store } = openServices(environment)
      const events = await store.db
        .selectFrom('audit_events')
        .select(['type', 'actor_id', 'target_type', 'target_id', 'outcome', 'details'])
        .where('type', 'like', 'vault.%')
        .orderBy('id')
        .execute()
      const S = String(secretId)
      const G = String(team)
      const row = (
        type: string,
        actor: number,
        target: [string, string] | null,
        outcome: string,
      ) => [type, actor, target?.[0] ?? null, target?.[1] ?? null, outcome]
      const secretTarget: [string, string] = ['vault-secret', S]
      const groupTarget: [string, string] = ['vault-group', G]
      assert.deepEqual(
        events.map((event) => [
          event.type,
          event.actor_id,
          event.target_type,
          event.target_id,
          event.outcome,
        ]),
        [
          row('vault.secret.create', alice.id, secretTarget, 'success'),
          row('vault.secret.read', bob.id, secretTarget, 'denied'),
          row('vault.secret.read', alice.id, secretTarget, 'success'),
          row('vault.secret.update', alice.id, secretTarget, 'success'),
          row('vault.share.grant', alice.id, secretTarget, 'success'),
          row('vault.secret.update', bob.id, secretTarget, 'denied'),
          row('vault.share.change', alice.id, secretTarget, 'success'),
          row('vault.share.grant', bob.id, secretTarget, 'denied'),
          row('vault.share.revoke', alice.id, secretTarget, 'success'),
          row('vault.group.create', alice.id, groupTarget, 'success'),
          row('vault.group.read', bob.id, groupTarget, 'denied'),
          row('vault.group.member.add', alice.id, groupTarget, 'success'),
          row('vault.share.grant', alice.id, secretTarget, 'success'),
          row('vault.group.read', alice.id, groupTarget, 'success'),
          row('vault.group.rename', alice.id, groupTarget, 'success'),
          row('vault.secret.list', alice.id, null, 'success'),
          row('vault.secret.list', bob.id, null, 'success'),
          row('vault.group.member.remove', alice.id, groupTarget, 'success'),
          row('vault.group.delete', bob.id, groupTarget, 'denied'),
          row('vault.group.delete', alice.id, groupTarget, 'success'),
          row('vault.secret.delete', bob.id, secretTarget, 'denied'),
          row('vault.secret.delete', alice.id, secretTarget, 'success'),
        ],
      )
      const details = events.map((event) => JSON.parse(event.details) as Record<string, unknown>)
      assert.deepEqual(details[6], {
        grantee_id: bob.id,
        grantee_type: 'user',
        permission: 'read-write',
        previous: 'read-only',
      })
      assert.deepEqual(details[11], { user_id: bob.id })
      assert.deepEqual(details[12], {
        grantee_id: team,
        grantee_type: 'group',
        permission: 'read-only',
        previous: null,
      })
      assert.deepEqual(details[5], { access: 'read-only' })
      assert.deepEqual(details[19], { members: 1, shares_ended: 1 })
      // Names and values never reach the log.
      assert.ok(events.every((event) => !JSON.stringify(event).includes('MARKER')))
      assert.equal((await services.audit.verify()).ok, true)
    })
  })
}
