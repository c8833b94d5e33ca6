import { Type } from 'typebox'

import type { VersionSummary } from '../../domain/vault/version-service.js'
import { principalOf } from '../../http/authenticate.js'
import { contextOf } from '../../http/request-context.js'
import { BEARER } from './context.js'
import type { RouteDeps, Scope } from './context.js'
import { ErrorResponse, FieldErrorsResponse, IdSchema, SecretDeniedResponse } from './schemas.js'

const TAGS = ['Secrets v1 (/v1): versions (beside the documented API)']
const SUCCESS = 'Success!'

const SecretParams = Type.Object({ secret_id: IdSchema })
const VersionParams = Type.Object({ secret_id: IdSchema, version: IdSchema })

const Summary = {
  version: Type.Integer(),
  name: Type.String(),
  created_at: Type.String({ description: 'When this value was written' }),
  current: Type.Boolean({ description: 'Whether this is the value GET /v1/secrets answers' }),
}
const VersionListResponse = Type.Object({
  message: Type.String(),
  data: Type.Array(Type.Object(Summary)),
})
const VersionResponse = Type.Object({
  message: Type.String(),
  data: Type.Object({
    secret_id: Type.Integer(),
    ...Summary,
    encrypted_data: Type.String(),
  }),
})
const RollbackResponse = Type.Object({
  message: Type.String(),
  data: Type.Object({
    secret_id: Type.Integer(),
    version: Type.Integer({ description: 'The new current version' }),
    restored_from: Type.Integer(),
  }),
})

const ERRORS = {
  401: SecretDeniedResponse,
  404: ErrorResponse,
  422: FieldErrorsResponse,
}

const toSummary = (version: VersionSummary) => ({
  version: version.version,
  name: version.name,
  created_at: version.createdAt,
  current: version.current,
})

/**
 * Secret versions (docs/surfaces/2-secrets-v1.md "Versions"), an addition the original API does
 * not have: ids in the path, no body, answers in this surface's words. The documented routes
 * answer exactly as before.
 */
export function registerVersionRoutes(scope: Scope, { services, authenticated }: RouteDeps): void {
  const { secretVersions } = services

  scope.get(
    '/secrets/:secret_id/versions',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: "A secret's current and kept versions, newest first (names, no values)",
        description:
          'Whoever may read the secret (owner, read-only or read-write share, directly or through a group) may list its versions. VAULT_VERSIONS_KEPT earlier values are kept per secret.',
        security: BEARER,
        params: SecretParams,
        response: { 200: VersionListResponse, ...ERRORS },
      },
    },
    async (request) => {
      const versions = await secretVersions.list(
        principalOf(request),
        request.params.secret_id,
        contextOf(request),
      )
      return { message: SUCCESS, data: versions.map(toSummary) }
    },
  )

  scope.get(
    '/secrets/:secret_id/versions/:version',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'Read one version of a secret (whoever may read the secret)',
        security: BEARER,
        params: VersionParams,
        response: { 200: VersionResponse, ...ERRORS },
      },
    },
    async (request) => {
      const { secret_id, version } = request.params
      const view = await secretVersions.read(
        principalOf(request),
        secret_id,
        version,
        contextOf(request),
      )
      return {
        message: SUCCESS,
        data: { secret_id: view.secretId, ...toSummary(view), encrypted_data: view.encryptedData },
      }
    },
  )

  scope.post(
    '/secrets/:secret_id/versions/:version/rollback',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: "Make a version's name and value current again, as a new version",
        description:
          'Whoever may update the secret (owner or read-write share) may roll it back. The value it replaces is kept as a version, like any update.',
        security: BEARER,
        params: VersionParams,
        response: { 200: RollbackResponse, ...ERRORS },
      },
    },
    async (request) => {
      const { secret_id, version } = request.params
      const created = await secretVersions.rollback(
        principalOf(request),
        secret_id,
        version,
        contextOf(request),
      )
      return {
        message: 'Success! The secret was rolled back.',
        data: { secret_id, version: created, restored_from: version },
      }
    },
  )
}
