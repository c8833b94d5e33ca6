import type { FastifyInstance, onRouteHookHandler } from 'fastify'

/** Marks the routes that answer 405: they serve nothing, so no index of served methods lists them. */
export const METHOD_NOT_ALLOWED_ROUTE = 'strongroom:method-not-allowed'

/** A route as `onRoute` hooks see it: `url` with the scope's prefix, `routePath` without. */
export type RegisteredRoute = Parameters<onRouteHookHandler>[0]

/**
 * Which methods each path serves, learnt from the routes `instance` (and the scopes inside it)
 * register from now on, in the order they are registered; `keyOf` names a route's path, or
 * leaves the route out, knowing the scope it was registered on. Fastify's automatic HEAD twin of a
 * GET route is a route of its own, so HEAD is listed; a GET registered with
 * `exposeHeadRoute: false` has no twin, and HEAD is not.
 */
export function indexServedMethods(
  instance: FastifyInstance,
  keyOf: (route: RegisteredRoute, registeredOn: FastifyInstance) => string | undefined,
): ReadonlyMap<string, ReadonlySet<string>> {
  const served = new Map<string, Set<string>>()
  instance.addHook('onRoute', function (route) {
    const config = route.config as Record<string, unknown> | undefined
    if (config?.[METHOD_NOT_ALLOWED_ROUTE] === true) return
    const key = keyOf(route, this)
    if (key === undefined) return
    const methods = served.get(key) ?? new Set<string>()
    for (const method of [route.method].flat()) methods.add(method)
    served.set(key, methods)
  })
  return served
}
