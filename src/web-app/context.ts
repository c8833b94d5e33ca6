import type { Services } from '../services.js'
import type { TypeBoxScope } from '../surfaces/common/scope.js'

/** The scope the web app's API is registered on (`/app/api`). */
export type WebAppScope = TypeBoxScope

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
