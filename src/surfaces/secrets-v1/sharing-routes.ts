import type { Grantee } from '../../domain/vault/sharing-service.js'
import { AppError } from '../../errors.js'
import { principalOf } from '../../http/authenticate.js'
import { contextOf } from '../../http/request-context.js'
import { BEARER, SECRET_ERRORS } from './context.js'
import { translateLaterKeys } from './later-api.js'
import type { RouteDeps, Scope } from './context.js'
import {
  MessageResponse,
  RevokeGroupBody,
  RevokeUserBody,
  ShareGroupBody,
  ShareUserBody,
} from './schemas.js'

const TAGS = ['Secrets v1 (/v1): sharing']

/**
 * Sharing a secret with users and groups (docs/surfaces/2-secrets-v1.md). The code's paths
 * (`/secrets/share/user` with POST, PATCH and DELETE) and the document's
 * (`PATCH /secrets/update/user`, `DELETE /secrets/revoke/user`) do the same thing.
 */
export function registerSharingRoutes(scope: Scope, deps: RouteDeps): void {
  const { services, authenticated } = deps
  const { sharing } = services

  for (const target of ['user', 'group'] as const) {
    const shareBody = target === 'user' ? ShareUserBody : ShareGroupBody
    const revokeBody = target === 'user' ? RevokeUserBody : RevokeGroupBody
    // The route decides whom a share is for, never which keys a body happens to carry.
    const grantee = (body: { user_id?: number; group_id?: number }): Grantee => {
      const id = target === 'user' ? body.user_id : body.group_id
      if (id === undefined) throw new AppError('BAD_REQUEST', 'No grantee')
      return { kind: target, id }
    }
    const path = `/secrets/share/${target}`
    // The later API names the grantee by `user_email` or `group_name` (later-api.ts).
    const preValidation = [
      authenticated,
      translateLaterKeys(deps, target === 'user' ? { user: true } : { group: true }),
    ]
    const changePaths = target === 'user' ? [path, '/secrets/update/user'] : [path]
    const revokePaths = target === 'user' ? [path, '/secrets/revoke/user'] : [path]

    scope.post(
      path,
      {
        preValidation,
        schema: {
          tags: TAGS,
          summary: `Share a secret with a ${target} (owner only); sharing again sets the new permission`,
          security: BEARER,
          body: shareBody,
          response: { 201: MessageResponse, ...SECRET_ERRORS },
        },
      },
      async (request, reply) => {
        const body = request.body
        await sharing.share(
          principalOf(request),
          body.secret_id,
          grantee(body),
          body.permission,
          contextOf(request),
        )
        return reply.code(201).send({ message: `Secret shared successfully with the ${target}.` })
      },
    )

    for (const url of changePaths) {
      scope.patch(
        url,
        {
          preValidation,
          schema: {
            tags: TAGS,
            summary: `Change the permission of a ${target} a secret is shared with (owner only)`,
            security: BEARER,
            body: shareBody,
            response: { 200: MessageResponse, ...SECRET_ERRORS },
          },
        },
        async (request) => {
          const body = request.body
          await sharing.changePermission(
            principalOf(request),
            body.secret_id,
            grantee(body),
            body.permission,
            contextOf(request),
          )
          return { message: `Permission updated successfully for the ${target}.` }
        },
      )
    }

    for (const url of revokePaths) {
      scope.delete(
        url,
        {
          preValidation,
          schema: {
            tags: TAGS,
            summary: `Stop sharing a secret with a ${target} (owner only)`,
            security: BEARER,
            body: revokeBody,
            response: { 200: MessageResponse, ...SECRET_ERRORS },
          },
        },
        async (request) => {
          const body = request.body
          await sharing.revoke(
            principalOf(request),
            body.secret_id,
            grantee(body),
            contextOf(request),
          )
          return { message: `Permission revoked successfully for the ${target}.` }
        },
      )
    }
  }
}
