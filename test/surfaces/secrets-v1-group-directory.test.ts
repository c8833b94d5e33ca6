import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import type { FastifyInstance } from 'fastify'

import { buildTestApp } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectStatus, signUpV1, v1 } from '../helpers/v1.js'
import type { V1User } from '../helpers/v1.js'

async function newGroup(app: FastifyInstance, owner: V1User, name: string): Promise<number> {
  const created = await expectStatus(
    v1(app, 'POST', '/groups', { token: owner.token, body: { group_name: name } }),
    201,
  )
  return (created.body as { data: { id: number } }).data.id
}

const add = (app: FastifyInstance, by: V1User, groupId: number, userId: number) =>
  v1(app, 'POST', '/groups/add_user', {
    token: by.token,
    body: { group_id: groupId, user_id: userId },
  })

const memberIds = async (app: FastifyInstance, by: V1User, groupId: number) => {
  const answer = await expectStatus(
    v1(app, 'GET', '/groups', { token: by.token, body: { group_id: groupId } }),
    200,
  )
  return (answer.body as { Data: { members: { id: number }[] } }).Data.members.map((m) => m.id)
}

/**
 * Groups must not be a faster way to read the directory than the rate-limited exact e-mail
 * lookup (security review, finding 4): adding people is limited and spends the lookup's budget,
 * an id nobody has is answered like one somebody has, a group's size is bounded, and whoever
 * was added can leave.
 */
for (const dialect of DIALECTS) {
  describe(`Secrets v1: groups do not leak the directory (${dialect})`, () => {
    it('answers an unknown user id exactly like a known one, and adds nobody', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const owner = await signUpV1(app, 'owner')
      const known = await signUpV1(app, 'known')
      const groupId = await newGroup(app, owner, 'probing-team')
      const existing = await add(app, owner, groupId, known.id)
      const nobody = await add(app, owner, groupId, known.id + 1000)
      assert.equal(existing.status, 200)
      assert.equal(nobody.status, existing.status)
      assert.deepEqual(nobody.body, existing.body)
      assert.deepEqual((await memberIds(app, owner, groupId)).sort(), [owner.id, known.id].sort())
    })

    it('limits additions per adder (GROUP_ADDITION_LIMITS), with Retry-After', async (t) => {
      const { app } = await buildTestApp(t, {
        dialect,
        env: { GROUP_ADDITION_LIMITS: '3/hour' },
      })
      const owner = await signUpV1(app, 'adder')
      const groupId = await newGroup(app, owner, 'limited-team')
      const statuses: number[] = []
      for (let id = 1000; id < 1004; id += 1)
        statuses.push((await add(app, owner, groupId, id)).status)
      assert.deepEqual(statuses, [200, 200, 200, 429])
      const refused = await add(app, owner, groupId, 2000)
      assert.equal(refused.status, 429)
      assert.deepEqual(refused.body, { error: 'Too many requests, try again later' })
    })

    it('makes every addition spend the e-mail lookup’s budget', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const owner = await signUpV1(app, 'budget')
      const groupId = await newGroup(app, owner, 'budget-team')
      for (let i = 0; i < 29; i += 1) {
        const looked = await v1(app, 'GET', `/users?email=probe-${i}@example.com`, {
          token: owner.token,
        })
        assert.equal(looked.status, 404)
      }
      assert.equal((await add(app, owner, groupId, 5000)).status, 200, 'the 30th of the minute')
      assert.equal((await add(app, owner, groupId, 5001)).status, 429)
      const lookup = await v1(app, 'GET', '/users?email=late@example.com', { token: owner.token })
      assert.equal(lookup.status, 429, 'and the lookup is spent too')
    })

    it('bounds a group’s size (GROUP_MAX_MEMBERS)', async (t) => {
      const { app } = await buildTestApp(t, { dialect, env: { GROUP_MAX_MEMBERS: '2' } })
      const owner = await signUpV1(app, 'small')
      const first = await signUpV1(app, 'first')
      const second = await signUpV1(app, 'second')
      const groupId = await newGroup(app, owner, 'small-team')
      assert.equal((await add(app, owner, groupId, first.id)).status, 200)
      const full = await add(app, owner, groupId, second.id)
      assert.equal(full.status, 409)
      assert.deepEqual(full.body, { error: 'The group has as many members as it may have' })
    })

    it('lets a member leave a group they were put in; the creator stays', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const owner = await signUpV1(app, 'creator')
      const member = await signUpV1(app, 'member')
      const stranger = await signUpV1(app, 'stranger')
      const groupId = await newGroup(app, owner, 'leavable-team')
      await expectStatus(add(app, owner, groupId, member.id), 200)

      const leave = await v1(app, 'POST', '/groups/leave', {
        token: member.token,
        body: { group_id: groupId },
      })
      assert.equal(leave.status, 200)
      assert.deepEqual(leave.body, { Message: 'Success!' })
      const look = await v1(app, 'GET', '/groups', {
        token: member.token,
        body: { group_id: groupId },
      })
      assert.equal(look.status, 401, 'gone from the group')
      assert.deepEqual(await memberIds(app, owner, groupId), [owner.id])

      const notIn = await v1(app, 'POST', '/groups/leave', {
        token: stranger.token,
        body: { group_id: groupId },
      })
      assert.equal(notIn.status, 401)
      const creator = await v1(app, 'POST', '/groups/leave', {
        token: owner.token,
        body: { group_id: groupId },
      })
      assert.equal(creator.status, 400)
      const byName = await v1(app, 'POST', '/groups/leave', {
        token: member.token,
        body: { group_name: 'leavable-team' },
      })
      assert.equal(byName.status, 401, 'by name too, and only members')
    })
  })
}
