import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import type { FastifyInstance } from 'fastify'

import { buildTestApp, openServices } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectStatus, signUpV1, v1 } from '../helpers/v1.js'
import type { V1User } from '../helpers/v1.js'

/**
 * The permission matrix of the issue, table-driven: every kind of actor against every action on
 * one secret, with the exact status and body of each cell, on every store.
 */

const NAME = 'prod-db'
const DATA = 'c2VjcmV0LWNpcGhlcnRleHQ='
const NOW = '2026-11-22T12:00:00.000Z'

const ACTIONS = ['read', 'update', 'share', 'change', 'revoke', 'delete'] as const
type Action = (typeof ACTIONS)[number]
interface Cell {
  status: number
  body: unknown
}
type Row = Record<Action, Cell>

const refused = (message: string): Cell => ({ status: 401, body: { message } })
const STRANGER: Row = {
  read: refused('Only owner or shared users can read a secret'),
  update: refused('Only owner can update a secret'),
  share: refused('Only secret owner can manage access'),
  change: refused('Only secret owner can manage access'),
  revoke: refused('Only secret owner can manage access'),
  delete: refused('Only owner can delete a secret'),
}

function matrix(secretId: number, ownerId: number) {
  const read = (permission: string): Cell => ({
    status: 200,
    body: {
      message: 'Success!',
      data: {
        secret_id: secretId,
        name: NAME,
        encrypted_data: DATA,
        owner_id: ownerId,
        permission,
        created_at: NOW,
        updated_at: NOW,
      },
    },
  })
  const updated: Cell = { status: 200, body: { message: 'Success!' } }
  const reader: Row = { ...STRANGER, read: read('read-only') }
  const writer: Row = { ...reader, read: read('read-write'), update: updated }
  const owner: Row = {
    read: read('owner'),
    update: updated,
    share: { status: 201, body: { message: 'Secret shared successfully with the user.' } },
    change: { status: 200, body: { message: 'Permission updated successfully for the user.' } },
    revoke: { status: 200, body: { message: 'Permission revoked successfully for the user.' } },
    delete: { status: 204, body: undefined },
  }
  const gone = { status: 404, body: { error: `No secret found with id: ${secretId}` } }
  const deleted: Row = {
    read: gone,
    update: gone,
    share: gone,
    change: gone,
    revoke: gone,
    delete: gone,
  }
  return { reader, writer, owner, deleted }
}

/** One request per action; `target` is the user the share/change/revoke cells act on. */
function act(
  app: FastifyInstance,
  actor: V1User,
  action: Action,
  secretId: number,
  target: V1User,
) {
  const token = actor.token
  switch (action) {
    case 'read':
      return v1(app, 'GET', '/secrets', { token, body: { secret_id: secretId } })
    case 'update':
      return v1(app, 'PATCH', '/secrets', {
        token,
        body: { secret_id: secretId, name: NAME, encrypted_data: DATA },
      })
    case 'share':
      return v1(app, 'POST', '/secrets/share/user', {
        token,
        body: { secret_id: secretId, user_id: target.id, permission: 'read-only' },
      })
    case 'change':
      return v1(app, 'PATCH', '/secrets/share/user', {
        token,
        body: { secret_id: secretId, user_id: target.id, permission: 'read-write' },
      })
    case 'revoke':
      return v1(app, 'DELETE', '/secrets/share/user', {
        token,
        body: { secret_id: secretId, user_id: target.id },
      })
    case 'delete':
      return v1(app, 'DELETE', '/secrets', { token, body: { secret_id: secretId } })
  }
}

for (const dialect of DIALECTS) {
  describe(`Secrets v1 permission matrix (${dialect})`, () => {
    it('gives every actor exactly the documented answer for every action', async (t) => {
      const { app, ...environment } = await buildTestApp(t, {
        dialect,
        overrides: { clock: manualClock() },
      })
      const users: Record<string, V1User> = {}
      for (const name of [
        'owner',
        'directRO',
        'directRW',
        'groupRO',
        'groupRW',
        'mixed',
        'creator',
        'stranger',
        'revoked',
        'removed',
        'groupGone',
        'target',
      ]) {
        users[name] = await signUpV1(app, name)
      }
      const u = (name: string): V1User => {
        const user = users[name]
        assert.ok(user !== undefined, name)
        return user
      }
      const post = (actor: string, path: string, body: unknown, status: number) =>
        expectStatus(v1(app, 'POST', path, { token: u(actor).token, body }), status)

      const created = await post('owner', '/secrets', { name: NAME, encrypted_data: DATA }, 201)
      const secretId = (created.body as { secret_id: number }).secret_id
      const groupId = async (actor: string, name: string, members: string[]) => {
        const response = await post(actor, '/groups', { group_name: name }, 201)
        const id = (response.body as { data: { id: number } }).data.id
        for (const member of members) {
          await post(actor, '/groups/add_user', { group_id: id, user_id: u(member).id }, 200)
        }
        return id
      }
      const share = (kind: 'user' | 'group', id: number, permission: string) =>
        post(
          'owner',
          `/secrets/share/${kind}`,
          { secret_id: secretId, [`${kind}_id`]: id, permission },
          201,
        )

      // Someone else's group that the owner was added to, shared read-only.
      const readers = await groupId('creator', 'readers', ['groupRO', 'owner'])
      await share('group', readers, 'read-only')
      // The owner's own groups, shared read-write.
      const writers = await groupId('owner', 'writers', ['groupRW', 'removed', 'mixed'])
      await share('group', writers, 'read-write')
      const doomed = await groupId('owner', 'doomed-group', ['groupGone'])
      await share('group', doomed, 'read-write')
      await share('user', u('directRO').id, 'read-only')
      await share('user', u('directRW').id, 'read-write')
      await share('user', u('revoked').id, 'read-write')
      await share('user', u('mixed').id, 'read-only')

      // Before the changes, the doomed paths do grant access: the later cells prove they end.
      for (const actor of ['revoked', 'removed', 'groupGone']) {
        const before = await act(app, u(actor), 'read', secretId, u('target'))
        assert.equal(before.status, 200, actor)
      }
      await expectStatus(
        v1(app, 'DELETE', '/secrets/revoke/user', {
          token: u('owner').token,
          body: { secret_id: secretId, user_id: u('revoked').id },
        }),
        200,
      )
      await post(
        'owner',
        '/groups/remove_user',
        { group_id: writers, user_id: u('removed').id },
        200,
      )
      await expectStatus(
        v1(app, 'DELETE', '/groups', { token: u('owner').token, body: { group_id: doomed } }),
        204,
      )

      const { reader, writer, owner, deleted } = matrix(secretId, u('owner').id)
      const table: [row: string, actor: string, expected: Row][] = [
        ['read-only direct', 'directRO', reader],
        ['read-write direct', 'directRW', writer],
        ['read-only via group', 'groupRO', reader],
        ['read-write via group', 'groupRW', writer],
        ['read-only direct and read-write via group', 'mixed', writer],
        ['group creator (a member of the read-only group)', 'creator', reader],
        ['stranger', 'stranger', STRANGER],
        ['after revoke', 'revoked', STRANGER],
        ['after removal from the group', 'removed', STRANGER],
        ['after the group is deleted', 'groupGone', STRANGER],
        // The owner's row ends by deleting the secret, so it runs after every other live row.
        ['owner', 'owner', owner],
        ['after the secret is deleted: owner', 'owner', deleted],
        ['after the secret is deleted: read-write sharee', 'directRW', deleted],
        ['after the secret is deleted: read-write via group', 'groupRW', deleted],
        ['after the secret is deleted: stranger', 'stranger', deleted],
      ]
      for (const [row, actor, expected] of table) {
        await t.test(row, async () => {
          for (const action of ACTIONS) {
            const response = await act(app, u(actor), action, secretId, u('target'))
            assert.deepEqual(
              { status: response.status, body: response.body },
              expected[action],
              `${row} × ${action}`,
            )
          }
        })
      }

      // Deleting the secret took every grant on it along: nothing is left to list or to reach.
      for (const actor of ['directRO', 'groupRW', 'target']) {
        const shared = await v1(app, 'GET', '/secrets/shared', { token: u(actor).token })
        assert.deepEqual(shared.body, { message: 'Success!', data: [] }, actor)
      }
      const { services } = openServices(environment)
      assert.equal((await services.audit.verify()).ok, true)
    })
  })
}
