import type { FastifyInstance, HTTPMethods } from 'fastify'

import { AppError } from '../errors.js'
import { indexServedMethods, METHOD_NOT_ALLOWED_ROUTE } from './served-methods.js'

/** The methods a path can be refused, in the order `Allow` lists the served ones. */
const METHODS: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']

/**
 * Answers 405 with `Allow` for the methods a known path does not serve, as FastAPI and the Go
 * router do (a 404 there would claim the path does not exist). Call first in a surface's plugin:
 * every path the scope then registers a route at gets the 405 answer for the rest, once the
 * plugin's routes are in, so no path is listed by hand.
 *
 * A GET route answers HEAD by itself (Fastify's automatic HEAD twin), so HEAD counts as served.
 * A GET registered with `exposeHeadRoute: false` has no twin, and HEAD is refused too: a GET that
 * burns a one-time secret must not run for a HEAD, which link previewers send.
 *
 * Routes of scopes registered inside this one are left to those scopes: a 405 answered here would
 * speak this scope's dialect.
 */
export function answerMethodNotAllowed(scope: FastifyInstance): void {
  const served = indexServedMethods(scope, (route, registeredOn) =>
    registeredOn === scope ? route.routePath : undefined,
  )
  // Runs once the plugin that called this has registered its routes (an error of theirs goes on).
  scope.after(() => {
    for (const [path, methods] of served) refuseOthers(scope, path, methods)
  })
}

function refuseOthers(scope: FastifyInstance, path: string, served: ReadonlySet<string>): void {
  const allow = METHODS.filter((method) => served.has(method))
  const others = METHODS.filter((method) => !served.has(method))
  if (others.length === 0) return
  scope.route({
    method: others,
    url: path,
    // HEAD is in `others` exactly when the path does not serve it.
    exposeHeadRoute: false,
    schema: { hide: true },
    config: { [METHOD_NOT_ALLOWED_ROUTE]: true },
    handler: () => {
      throw new AppError('METHOD_NOT_ALLOWED', 'Method Not Allowed', { allow })
    },
  })
}
