import type { Static } from 'typebox'

import { principalOf } from '../../http/authenticate.js'
import { getJsonBody } from '../../http/get-json-body.js'
import { contextOf } from '../../http/request-context.js'
import { toGroupJson } from '../common/groups.js'
import { BEARER } from './context.js'
import type { RouteDeps, Scope } from './context.js'
import { toLaterSecret, translateLaterKeys } from './later-api.js'
import {
  ErrorResponse,
  FieldErrorsResponse,
  GroupSecretsQueryBody,
  LaterGroupListResponse,
  LaterSecretListResponse,
  SecretDeniedResponse,
} from './schemas.js'

const TAGS = ['Secrets v1 (/v1): later API']
const SUCCESS = 'Success!'

/**
 * The lists only the original's later API has (docs/surfaces/2-secrets-v1.md "Later API"), as
 * its companion CLI reads them: the caller's secrets, a group's secrets, the caller's groups.
 */
export function registerLaterRoutes(scope: Scope, deps: RouteDeps): void {
  const { services, authenticated } = deps
  const { vault, groups, groupSecrets } = services
  const groupBody = getJsonBody(scope, '/secrets/group', GroupSecretsQueryBody)

  scope.get(
    '/secrets/user',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: "The caller's own secrets as the later API lists them",
        description:
          '`encrypted_data` and `iv` are base64 of the bytes stored (Go byte slices), `iv` null when none was sent.',
        security: BEARER,
        response: { 200: LaterSecretListResponse, 401: ErrorResponse },
      },
    },
    async (request) => {
      const secrets = await vault.listOwned(principalOf(request), contextOf(request))
      return { message: SUCCESS, data: secrets.map(toLaterSecret) }
    },
  )

  scope.get(
    '/secrets/group',
    {
      preParsing: groupBody.read,
      preValidation: [authenticated, translateLaterKeys(deps, { group: true }), groupBody.validate],
      schema: {
        tags: TAGS,
        summary: 'The secrets shared with a group (members only)',
        description: 'Takes a JSON body on GET: `{"group_id": 1}` or `{"group_name": "…"}`.',
        security: BEARER,
        response: {
          200: LaterSecretListResponse,
          400: ErrorResponse,
          401: SecretDeniedResponse,
          404: ErrorResponse,
          413: ErrorResponse,
          422: FieldErrorsResponse,
        },
      },
    },
    async (request) => {
      const { group_id } = request.body as Static<typeof GroupSecretsQueryBody>
      const secrets = await groupSecrets.list(principalOf(request), group_id, contextOf(request))
      return { message: SUCCESS, data: secrets.map(toLaterSecret) }
    },
  )

  scope.get(
    '/groups/user',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'The groups the caller belongs to',
        security: BEARER,
        response: { 200: LaterGroupListResponse, 401: ErrorResponse },
      },
    },
    async (request) => {
      const mine = await groups.listMine(principalOf(request), contextOf(request))
      return { message: SUCCESS, data: mine.map(toGroupJson) }
    },
  )
}
