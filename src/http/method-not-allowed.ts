import type { FastifyInstance, HTTPMethods } from 'fastify'

import { AppError } from '../errors.js'
import { METHOD_NOT_ALLOWED_ROUTE } from './fastapi-fallbacks.js'

const METHODS: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

/**
 * Answers 405 with `Allow` for the methods a known path does not serve, as FastAPI and the Go
 * router do (a 404 there would claim the path does not exist). Call after the path's routes.
 *
 * A GET route answers HEAD by itself (Fastify's automatic HEAD twin), so HEAD counts as served.
 * Routes registered without that twin say `headTwin: false`, and HEAD is refused too: a GET that
 * burns a one-time secret must not run for a HEAD, which link previewers send.
 */
export function answerMethodNotAllowed(
  scope: FastifyInstance,
  path: string,
  allowed: readonly HTTPMethods[],
  options: { headTwin?: boolean } = {},
): void {
  const headTwin = options.headTwin !== false
  const allow =
    headTwin && allowed.includes('GET') && !allowed.includes('HEAD')
      ? [...allowed, 'HEAD' as const]
      : [...allowed]
  const others = [
    ...METHODS.filter((method) => !allowed.includes(method)),
    ...(headTwin || allowed.includes('HEAD') ? [] : ['HEAD' as const]),
  ]
  if (others.length === 0) return
  scope.route({
    method: others,
    url: path,
    schema: { hide: true },
    config: { [METHOD_NOT_ALLOWED_ROUTE]: true },
    handler: () => {
      throw new AppError('METHOD_NOT_ALLOWED', 'Method Not Allowed', { allow })
    },
  })
}
