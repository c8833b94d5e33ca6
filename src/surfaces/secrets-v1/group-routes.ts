import type { Static } from 'typebox'

import { principalOf } from '../../http/authenticate.js'
import { getJsonBody } from '../../http/get-json-body.js'
import { answerMethodNotAllowed } from '../../http/method-not-allowed.js'
import { contextOf } from '../../http/request-context.js'
import { BEARER } from './context.js'
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
export function registerGroupRoutes(scope: Scope, { services, authenticated }: RouteDeps): void {
  const { groups } = services
  const getBody = getJsonBody(scope, '/groups', GroupIdBody)

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
      preValidation: [authenticated, getBody.validate],
      schema: {
        tags: TAGS,
        summary: 'A group and its members (members only)',
        description: 'Takes a JSON body on GET, as documented: `{"group_id": 1}`.',
        security: BEARER,
        response: { 200: GroupResponse, ...ERRORS },
      },
    },
    async (request) => {
      const { group_id } = request.body as Static<typeof GroupIdBody>
      const group = await groups.get(principalOf(request), group_id, contextOf(request))
      return {
        Message: SUCCESS,
        Data: {
          id: group.id,
          name: group.name,
          creator_id: group.creatorId,
          created_at: group.createdAt,
          members: group.members,
        },
      }
    },
  )

  scope.patch(
    '/groups',
    {
      preValidation: authenticated,
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
      return { Message: SUCCESS }
    },
  )

  scope.delete(
    '/groups',
    {
      preValidation: authenticated,
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
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'Add a user to a group (creator only)',
        security: BEARER,
        body: MembershipBody,
        response: { 200: GroupMessageResponse, ...ERRORS, 409: ErrorResponse },
      },
    },
    async (request) => {
      await groups.addMember(
        principalOf(request),
        request.body.group_id,
        request.body.user_id,
        contextOf(request),
      )
      return { Message: SUCCESS }
    },
  )

  scope.post(
    '/groups/remove_user',
    {
      preValidation: authenticated,
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
      return { Message: SUCCESS }
    },
  )

  answerMethodNotAllowed(scope, '/groups', ['GET', 'POST', 'PATCH', 'DELETE'])
  answerMethodNotAllowed(scope, '/groups/add_user', ['POST'])
  answerMethodNotAllowed(scope, '/groups/remove_user', ['POST'])
}
