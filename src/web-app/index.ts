import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import { installDialect } from '../http/dialect.js'
import type { WebAppServices } from './context.js'
import { renderWebApp } from './dialect.js'
import { registerLinkRoutes } from './link-routes.js'
import { registerPageRoutes } from './page-routes.js'
import { requireSameOrigin } from './same-origin.js'
import { registerSessionRoutes } from './session-routes.js'

/**
 * The web app, mounted at `/app` (docs/web-app.md): static pages built from web/ at install time,
 * and a small JSON API under `/app/api` that only pages of this origin may call, signed in by an
 * HttpOnly session cookie. The JSON APIs of the five surfaces are untouched by it.
 */
export const webApp: FastifyPluginAsyncTypebox<{ services: WebAppServices }> = async (
  scope,
  { services },
) => {
  registerPageRoutes(scope)
  await scope.register(
    async (api) => {
      installDialect(api, renderWebApp)
      api.addHook('onRequest', requireSameOrigin)
      registerLinkRoutes(api, services)
      registerSessionRoutes(api, services)
    },
    { prefix: '/api' },
  )
}
