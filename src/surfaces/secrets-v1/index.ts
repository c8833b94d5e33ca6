import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import { requireAuth } from '../../http/authenticate.js'
import { installDialect } from '../../http/dialect.js'
import { sendExactJsonType } from '../../http/exact-json-type.js'
import { registerAuthRoutes } from './auth-routes.js'
import type { SurfaceServices } from './context.js'
import { renderSecretsV1 } from './dialect.js'
import { registerGroupRoutes } from './group-routes.js'
import { registerSecretRoutes } from './secret-routes.js'
import { registerSharingRoutes } from './sharing-routes.js'
import { registerVersionRoutes } from './version-routes.js'

/**
 * Surface 2, the team vault, mounted at `/v1` (docs/surfaces/2-secrets-v1.md).
 * One encapsulated scope: its dialect answers its errors and its unknown paths, and nothing of it
 * leaks into the other surfaces.
 */
export const secretsV1Surface: FastifyPluginAsyncTypebox<{ services: SurfaceServices }> = async (
  scope,
  { services },
) => {
  installDialect(scope, renderSecretsV1)
  sendExactJsonType(scope)
  const deps = {
    services,
    authenticated: requireAuth((token) => services.accounts.authenticate(token)),
  }
  registerAuthRoutes(scope, deps)
  registerSecretRoutes(scope, deps)
  registerSharingRoutes(scope, deps)
  registerGroupRoutes(scope, deps)
  registerVersionRoutes(scope, deps)
}
