import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify'

import { unauthorized } from '../errors.js'
import type { Principal } from '../domain/principal.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireAuth`; null on routes that do not authenticate. */
    principal: Principal | null
  }
}

/** The token of an `Authorization: Bearer <token>` header; `''` when the header is malformed. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)[ ]*$/i.exec(header)
  return match?.[1] ?? ''
}

/**
 * A preValidation hook that authenticates the request. It runs after the body limits (parsing)
 * and before schema validation, so an oversized body is refused before its token is looked at
 * (docs/architecture.md "Limits apply before authentication"), and a bad token is refused before the body
 * is judged, as the original services did.
 */
export function requireAuth(
  authenticate: (token: string | undefined) => Promise<Principal>,
): preValidationAsyncHookHandler {
  return async (request) => {
    const token = bearerToken(request)
    if (token === '') throw unauthorized('bad-scheme')
    request.principal = await authenticate(token)
  }
}

/** The authenticated caller; only call this on routes guarded by `requireAuth`. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw unauthorized('missing')
  return request.principal
}
