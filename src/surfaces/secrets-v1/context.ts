import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { preValidationAsyncHookHandler } from 'fastify'

import type { Services } from '../../services.js'

/** The scope every Secrets v1 route is registered on: `/v1`, with TypeBox types. */
export type Scope = Parameters<FastifyPluginAsyncTypebox>[0]

/** What this surface uses of the domain. */
export type SurfaceServices = Pick<
  Services,
  | 'accounts'
  | 'directory'
  | 'vault'
  | 'secretVersions'
  | 'sharing'
  | 'groups'
  | 'rateLimiter'
  | 'anonymousLimits'
>

export interface RouteDeps {
  services: SurfaceServices
  /** preValidation hook: a valid bearer token or 401. */
  authenticated: preValidationAsyncHookHandler
}

export const BEARER = [{ bearer: [] }]
