import type { FastifyRequest } from 'fastify'
import type { Static } from 'typebox'

import { principalOf } from '../../http/authenticate.js'
import { getJsonBody } from '../../http/get-json-body.js'
import { contextOf } from '../../http/request-context.js'
import { toGroupJson } from '../common/groups.js'
import { BEARER } from './context.js'
import { toLaterSecret, translateLaterKeys, usesLaterKeys } from './later-api.js'
import type { RouteDeps, Scope } from './context.js'
import {
  CreatedGroupResponse,
  CreateGroupBody,
  ErrorResponse,
  FieldErrorsResponse,
  GroupDeniedResponse,
  GroupIdBody,
  GroupMessageResponse,
  GroupResponse,
  MembershipBody,
  RenameGroupBody,
  NoContentResponse,
} from './schemas.js'

const TAGS = ['Secrets v1 (/v1): groups']
const SUCCESS = 'Success!'

const ERRORS = {
  400: GroupDeniedResponse,
  401: GroupDeniedResponse,
  404: ErrorResponse,
  413: ErrorResponse,
  422: FieldErrorsResponse,
}

/** Groups (docs/surfaces/2-secrets-v1.md), answered with a capital `"Message"`. */
export function registerGroupRoutes(scope: Scope, deps: RouteDeps): void {
  const { services, authenticated, lookupLimiter, groupAdditionLimiter } = deps
  const { groups, groupSecrets } = services
  const getBody = getJsonBody(scope, '/groups', GroupIdBody)
  // The later API names groups by `group_name` and users by `user_email` (later-api.ts).
  const byGroupName = [authenticated, translateLaterKeys(deps, { group: true })]
  const byNames = [authenticated, translateLaterKeys(deps, { group: true, user: true })]
  /** `{"Message"}` as documented, `{"message"}` for the later API. */
  const success = (request: FastifyRequest) =>
    usesLaterKeys(request) ? { message: SUCCESS } : { Message: SUCCESS }

  scope.post(
    '/groups',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary:
          'Create a group (name of 5+ characters, unique ignoring case); the creator is a member',
        security: BEARER,
        body: CreateGroupBody,
        response: { 201: CreatedGroupResponse, ...ERRORS, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const group = await groups.create(
        principalOf(request),
        request.body.group_name,
        contextOf(request),
      )
      return reply.code(201).send({
        Message: SUCCESS,
        data: {
          group_name: group.name,
          id: group.id,
          creator_id: group.creatorId,
          created_at: group.createdAt,
        },
      })
    },
  )

  scope.get(
    '/groups',
    {
      preParsing: getBody.read,
      preValidation: [...byGroupName, getBody.validate],
      schema: {
        tags: TAGS,
        summary: 'A group and its members (members only)',
        description:
          'Takes a JSON body on GET, as documented: `{"group_id": 1}`. Named the later way, `{"group_name": "…"}`, it answers `{"message","data":{"id","name","creator_id","created_at","users","secrets"}}`.',
        security: BEARER,
        response: { 200: GroupResponse, ...ERRORS },
      },
    },
    async (request) => {
      const { group_id } = request.body as Static<typeof GroupIdBody>
      const group = await groups.get(principalOf(request), group_id, contextOf(request))
      if (usesLaterKeys(request)) {
        const secrets = await groupSecrets.list(principalOf(request), group_id, contextOf(request))
        return {
          message: SUCCESS,
          data: {
            ...toGroupJson(group),
            users: group.members.map((member) => ({
              id: member.id,
              email: member.email,
              name: member.username,
              activated: true,
              created_at: member.createdAt,
            })),
            secrets: secrets.map(toLaterSecret),
          },
        }
      }
      return {
        Message: SUCCESS,
        Data: { ...toGroupJson(group), members: group.members },
      }
    },
  )

  scope.patch(
    '/groups',
    {
      preValidation: byGroupName,
      schema: {
        tags: TAGS,
        summary: 'Rename a group (creator only)',
        security: BEARER,
        body: RenameGroupBody,
        response: { 200: GroupMessageResponse, ...ERRORS, 409: ErrorResponse },
      },
    },
    async (request) => {
      await groups.rename(
        principalOf(request),
        request.body.group_id,
        request.body.new_group_name,
        contextOf(request),
      )
      return success(request)
    },
  )

  scope.delete(
    '/groups',
    {
      preValidation: byGroupName,
      schema: {
        tags: TAGS,
        summary: 'Delete a group; every share made through it ends (creator only)',
        security: BEARER,
        body: GroupIdBody,
        response: { 204: NoContentResponse, ...ERRORS },
      },
    },
    async (request, reply) => {
      await groups.delete(principalOf(request), request.body.group_id, contextOf(request))
      return reply.code(204).send(null)
    },
  )

  scope.post(
    '/groups/add_user',
    {
      preValidation: byNames,
      // Adding someone shows the adder their e-mail and username: each addition costs what an
      // e-mail lookup costs (an addition by e-mail has paid it already), within the addition limit.
      preHandler: async (request) => {
        const adder = principalOf(request).userId
        await groupAdditionLimiter.hit(`v1-group-add:${adder}`)
        if (!usesLaterKeys(request)) {
          await lookupLimiter.hit(`v1-user-lookup:${request.ip}`)
          await lookupLimiter.hit(`v1-user-lookup-account:${adder}`)
        }
      },
      schema: {
        tags: TAGS,
        summary:
          'Add a user to a group (creator only; an unknown user id is answered like a known one)',
        security: BEARER,
        body: MembershipBody,
        response: {
          200: GroupMessageResponse,
          ...ERRORS,
          409: ErrorResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request) => {
      await groups.addMember(
        principalOf(request),
        request.body.group_id,
        request.body.user_id,
        contextOf(request),
      )
      return success(request)
    },
  )

  scope.post(
    '/groups/remove_user',
    {
      preValidation: byNames,
      schema: {
        tags: TAGS,
        summary: 'Remove a user from a group (creator only; the creator stays)',
        security: BEARER,
        body: MembershipBody,
        response: { 200: GroupMessageResponse, ...ERRORS },
      },
    },
    async (request) => {
      await groups.removeMember(
        principalOf(request),
        request.body.group_id,
        request.body.user_id,
        contextOf(request),
      )
      return success(request)
    },
  )

  scope.post(
    '/groups/leave',
    {
      preValidation: byGroupName,
      schema: {
        tags: TAGS,
        summary: 'Leave a group one was added to (any member but the creator)',
        security: BEARER,
        body: GroupIdBody,
        response: { 200: GroupMessageResponse, ...ERRORS },
      },
    },
    async (request) => {
      await groups.leave(principalOf(request), request.body.group_id, contextOf(request))
      return success(request)
    },
  )
}
