import { Type } from 'typebox'

import { LINK_KEY_PATTERNS } from '../../domain/one-time/link-keys.js'
import {
  PASSPHRASE_MAX_LENGTH,
  PassphraseSchema,
  SecretValueSchema,
  TtlSecondsSchema,
} from '../common/one-time.js'

/**
 * Schemas of the One-time surface (docs/surfaces/4-one-time.md). Response schemas are allow-lists; every
 * input is bounded. The Generate surface (docs/surfaces/5-generate.md) shares the value schemas.
 */

export const CreateSecretBody = Type.Object({
  secret: SecretValueSchema,
  passphrase: Type.Optional(
    Type.String({
      maxLength: PASSPHRASE_MAX_LENGTH,
      description: 'Needed to delete the secret unread; absent, null or empty: none',
    }),
  ),
  ttl_seconds: TtlSecondsSchema,
})

/** A key that does not match is answered 404 "Secret not found" by the dialect, never 422. */
export const SecretKeyParams = Type.Object({
  secret_key: Type.String({ pattern: LINK_KEY_PATTERNS.api, maxLength: 36 }),
})

export const DeleteSecretQuery = Type.Object({
  passphrase: Type.Optional(PassphraseSchema),
})

export const EventQuery = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  page_size: Type.Integer({ minimum: 1, maximum: 100 }),
})

/** FastAPI's `Response(status_code=200)`: no body at all (not `null`, not `{}`). */
export const EmptyResponse = Type.Unsafe<undefined>({ description: 'Empty body' })
export const EventPageResponse = Type.Object({
  total: Type.Integer(),
  size: Type.Integer(),
  events: Type.Array(
    Type.Object({
      id: Type.String(),
      client_ip: Type.String(),
      client_user_agent: Type.String(),
      type: Type.Union([Type.Literal('CREATE'), Type.Literal('READ'), Type.Literal('DELETE')]),
      created_at: Type.String(),
      secret_id: Type.Integer(),
    }),
  ),
})

export { DetailResponse, ValidationResponse } from '../../http/fastapi-schemas.js'
export { SecretKeyResponse, SecretResponse } from '../common/one-time.js'
