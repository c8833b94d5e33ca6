import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import { requireAuth } from '../../http/authenticate.js'
import { installDialect } from '../../http/dialect.js'
import { answerMethodNotAllowed } from '../../http/method-not-allowed.js'
import { sendExactJsonType } from '../../http/exact-json-type.js'
import type { RateLimit } from '../../config.js'
import { registerAccountRoutes } from './account-routes.js'
import { registerAuthRoutes } from './auth-routes.js'
import { LOOKUP_LIMIT } from './context.js'
import type { SurfaceServices } from './context.js'
import { renderSecretsV1 } from './dialect.js'
import { registerGroupRoutes } from './group-routes.js'
import { registerLaterRoutes } from './later-routes.js'
import { registerSecretRoutes } from './secret-routes.js'
import { registerSharingRoutes } from './sharing-routes.js'
import { registerVersionRoutes } from './version-routes.js'

/**
 * Surface 2, the team vault, mounted at `/v1` (docs/surfaces/2-secrets-v1.md).
 * One encapsulated scope: its dialect answers its errors and its unknown paths, and nothing of it
 * leaks into the other surfaces.
 */
export const secretsV1Surface: FastifyPluginAsyncTypebox<{
  services: SurfaceServices
  /** GROUP_ADDITION_LIMITS; none in tests that do not care. */
  groupAdditionLimits?: readonly RateLimit[]
}> = async (scope, { services, groupAdditionLimits = [] }) => {
  installDialect(scope, renderSecretsV1)
  answerMethodNotAllowed(scope)
  sendExactJsonType(scope)
  if (!services.recovery.mailConfigured) {
    scope.log.warn(
      'Mail is not configured (SMTP_URL and MAIL_FROM are unset): password-reset and welcome mail will not be sent',
    )
  }
  const deps = {
    services,
    authenticated: requireAuth((token) => services.accounts.authenticate(token)),
    lookupLimiter: services.rateLimiter([LOOKUP_LIMIT]),
    groupAdditionLimiter: services.rateLimiter(groupAdditionLimits),
  }
  registerAuthRoutes(scope, deps)
  registerAccountRoutes(scope, deps)
  registerSecretRoutes(scope, deps)
  registerSharingRoutes(scope, deps)
  registerGroupRoutes(scope, deps)
  registerVersionRoutes(scope, deps)
  registerLaterRoutes(scope, deps)
}
