import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import { Type } from 'typebox'

import type { CreateOneTimeInput } from '../../domain/one-time/one-time-service.js'
import type { AppError } from '../../errors.js'
import type { Rendered } from '../../http/dialect.js'
import { contextOf } from '../../http/request-context.js'
import type { Services } from '../../services.js'

/**
 * What the two one-time surfaces share (docs/surfaces/4-one-time.md, 5-generate.md): the bounds
 * of a secret and its passphrase, the answers that carry a secret or its key, the one answer
 * for every key that opens nothing, and the no-cache header on everything they send.
 */

/** 64 KiB of text; the body limit (BODY_LIMIT_BYTES) bounds the bytes as well. */
export const SecretValueSchema = Type.String({ maxLength: 65_536 })
export const PASSPHRASE_MAX_LENGTH = 1024
export const PassphraseSchema = Type.String({ maxLength: PASSPHRASE_MAX_LENGTH })
/**
 * Seconds to live: a whole number ≥ 0 (negative or fractional → 422). Absent, null and 0 mean the
 * server's maximum, and anything above the maximum is shortened to it rather than refused.
 * (Nulls are removed before validation: see `nullMeansAbsent`.)
 */
export const TtlSecondsSchema = Type.Optional(
  Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'Seconds until the secret expires; absent, null or 0: the server maximum',
  }),
)

export const SecretKeyResponse = Type.Object({ secret_key: Type.String() })
export const SecretResponse = Type.Object({ secret: Type.String() })

/** The one answer for every key that opens nothing: unknown, used, expired or malformed. */
export const SECRET_NOT_FOUND: Rendered = { status: 404, body: { detail: 'Secret not found' } }

/**
 * True for a "not found" about a one-time secret, including a path key that failed its pattern:
 * a malformed key is just another key that opens nothing (docs/surfaces/4-one-time.md, 5-generate.md), never a 422.
 */
export function isMissingSecret(error: AppError): boolean {
  if (error.code === 'NOT_FOUND') return error.details.subject === 'one-time-secret'
  return (
    error.code === 'VALIDATION_FAILED' &&
    (error.details.issues ?? []).some((issue) => issue.location === 'params')
  )
}

/** What surface 4 sends on every response (docs/surfaces/4-one-time.md); surface 5 sends it too. */
export const NO_CACHE = 'no-cache, no-store, must-revalidate'

/**
 * Sets the no-cache header first thing, so errors, 404s and 405s of the scope carry it as well
 * (the root's `no-store` default only fills in a missing header).
 */
export const noCache: onRequestHookHandler = (_request, reply, done) => {
  reply.header('Cache-Control', NO_CACHE)
  done()
}

/**
 * Stores a one-time secret for either surface and answers its key; the bytes count against the
 * quota of the caller's client key (client-key.ts).
 */
export async function storeOneTimeSecret(
  services: Pick<Services, 'oneTime' | 'clientKey'>,
  input: CreateOneTimeInput,
  request: FastifyRequest,
): Promise<{ secret_key: string }> {
  const { secretKey } = await services.oneTime.create(
    input,
    contextOf(request),
    services.clientKey(request.ip),
  )
  return { secret_key: secretKey }
}
