import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import type { Services } from '../services.js'

/** The scope the web app's API is registered on (`/app/api`), with TypeBox types. */
export type WebAppScope = Parameters<FastifyPluginAsyncTypebox>[0]

/** What the web app uses of the domain. */
export type WebAppServices = Pick<
  Services,
  | 'accounts'
  | 'directory'
  | 'groups'
  | 'sharing'
  | 'oneTime'
  | 'audit'
  | 'rateLimiter'
  | 'anonymousLimits'
  | 'clientKey'
>
