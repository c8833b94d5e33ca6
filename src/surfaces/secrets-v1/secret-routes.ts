import type { Static } from 'typebox'

import type { SecretView } from '../../domain/vault/vault-service.js'
import { principalOf } from '../../http/authenticate.js'
import { getJsonBody } from '../../http/get-json-body.js'
import { contextOf } from '../../http/request-context.js'
import { BEARER, SECRET_ERRORS } from './context.js'
import { withLaterFields } from './later-api.js'
import type { RouteDeps, Scope } from './context.js'
import {
  CreatedSecretResponse,
  CreateSecretBody,
  ErrorResponse,
  MessageResponse,
  SecretIdBody,
  SecretListResponse,
  SecretResponse,
  SharedListResponse,
  UpdateSecretBody,
  NoContentResponse,
} from './schemas.js'

const TAGS = ['Secrets v1 (/v1): secrets']
const SUCCESS = 'Success!'

export const toSecretData = (secret: SecretView) => ({
  secret_id: secret.id,
  name: secret.name,
  encrypted_data: secret.encryptedData,
  owner_id: secret.ownerId,
  permission: secret.access,
  created_at: secret.createdAt,
  updated_at: secret.updatedAt,
})

/** The vault's named secrets (docs/surfaces/2-secrets-v1.md), JSON bodies on GET and DELETE too. */
export function registerSecretRoutes(scope: Scope, { services, authenticated }: RouteDeps): void {
  const { vault } = services
  const getBody = getJsonBody(scope, '/secrets', SecretIdBody)

  scope.post(
    '/secrets',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'Store a secret: a name and the client-encrypted data, kept exactly as sent',
        description:
          'The later API (the pw4devs CLI) also sends `iv`: it is kept beside the data, and such a secret is read back with `id`, and `encrypted_data` and `iv` as base64 of the bytes sent.',
        security: BEARER,
        body: CreateSecretBody,
        response: { 201: CreatedSecretResponse, ...SECRET_ERRORS, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const id = await vault.create(
        principalOf(request),
        {
          name: request.body.name,
          encryptedData: request.body.encrypted_data,
          ...(request.body.iv === undefined ? {} : { iv: request.body.iv }),
        },
        contextOf(request),
      )
      return reply
        .code(201)
        .send({ message: 'Success! Your secret has been created.', secret_id: id })
    },
  )

  scope.get(
    '/secrets',
    {
      preParsing: getBody.read,
      preValidation: [authenticated, getBody.validate],
      schema: {
        tags: TAGS,
        summary: 'Read one secret',
        description:
          'Takes a JSON body on GET, as documented: `{"secret_id": 1}`. The owner and every user the secret is shared with (directly or through a group) may read it.',
        security: BEARER,
        response: { 200: SecretResponse, ...SECRET_ERRORS },
      },
    },
    async (request) => {
      const { secret_id } = request.body as Static<typeof SecretIdBody>
      const secret = await vault.read(principalOf(request), secret_id, contextOf(request))
      return { message: SUCCESS, data: withLaterFields(toSecretData(secret), secret) }
    },
  )

  scope.patch(
    '/secrets',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'Replace the name and data of a secret (owner or read-write share)',
        security: BEARER,
        body: UpdateSecretBody,
        response: { 200: MessageResponse, ...SECRET_ERRORS },
      },
    },
    async (request) => {
      const { secret_id, name, encrypted_data, iv } = request.body
      await vault.update(
        principalOf(request),
        secret_id,
        { name, encryptedData: encrypted_data, ...(iv === undefined ? {} : { iv }) },
        contextOf(request),
      )
      return { message: SUCCESS }
    },
  )

  scope.delete(
    '/secrets',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'Delete a secret and every share of it (owner only)',
        security: BEARER,
        body: SecretIdBody,
        response: { 204: NoContentResponse, ...SECRET_ERRORS },
      },
    },
    async (request, reply) => {
      await vault.delete(principalOf(request), request.body.secret_id, contextOf(request))
      return reply.code(204).send(null)
    },
  )

  scope.get(
    '/user/secrets',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: "The caller's own secrets",
        security: BEARER,
        response: { 200: SecretListResponse, 401: ErrorResponse },
      },
    },
    async (request) => {
      const secrets = await vault.listOwned(principalOf(request), contextOf(request))
      return {
        message: SUCCESS,
        data: secrets.map((secret) => withLaterFields(toSecretData(secret), secret)),
      }
    },
  )

  scope.get(
    '/secrets/shared',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'Secrets others shared with the caller, directly or through groups (names only)',
        security: BEARER,
        response: { 200: SharedListResponse, 401: ErrorResponse },
      },
    },
    async (request) => {
      const shared = await vault.listShared(principalOf(request), contextOf(request))
      return {
        message: SUCCESS,
        data: shared.map((secret) => ({
          secret_id: secret.id,
          name: secret.name,
          owner_id: secret.ownerId,
          permission: secret.permission,
        })),
      }
    },
  )
}
