import type { preValidationAsyncHookHandler } from 'fastify'

import type { RateLimiter } from '../../limits/rate-limiter.js'
import type { Services } from '../../services.js'
import type { TypeBoxScope } from '../common/scope.js'
import { ErrorResponse, FieldErrorsResponse, SecretDeniedResponse } from './schemas.js'

/** The scope every Secrets v1 route is registered on: `/v1`. */
export type Scope = TypeBoxScope

/** What this surface uses of the domain. */
export type SurfaceServices = Pick<
  Services,
  | 'accounts'
  | 'recovery'
  | 'deletion'
  | 'directory'
  | 'vault'
  | 'sharing'
  | 'groups'
  | 'groupSecrets'
  | 'rateLimiter'
  | 'secretVersions'
  | 'anonymousLimits'
>

export interface RouteDeps {
  services: SurfaceServices
  /** preValidation hook: a valid bearer token or 401. */
  authenticated: preValidationAsyncHookHandler
  /**
   * The e-mail lookup's budget (30 a minute per address and per account). Everything that tells
   * a caller whether an e-mail or a user exists spends from it: `GET /v1/users?email=`, password
   * reset requests, and naming users by e-mail or adding them to groups.
   */
  lookupLimiter: RateLimiter
  /** GROUP_ADDITION_LIMITS, per adding account. */
  groupAdditionLimiter: RateLimiter
}

/** How many e-mail lookups one address, and one account, may make per minute. */
export const LOOKUP_LIMIT = { limit: 30, windowMs: 60_000, text: '30/minute' }

export const BEARER = [{ bearer: [] }]

/** Error answers every route that takes a secret id can give. */
export const SECRET_ERRORS = {
  400: ErrorResponse,
  401: SecretDeniedResponse,
  404: ErrorResponse,
  413: ErrorResponse,
  422: FieldErrorsResponse,
}
