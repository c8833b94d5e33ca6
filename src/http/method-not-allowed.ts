import type { FastifyInstance, HTTPMethods } from 'fastify'

import { AppError } from '../errors.js'
import { METHOD_NOT_ALLOWED_ROUTE } from './fastapi-fallbacks.js'

const METHODS: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

/**
 * Answers 405 with `Allow` for the methods a known path does not serve, as FastAPI and the Go
 * router do (a 404 there would claim the path does not exist). Call after the path's routes.
 */
export function answerMethodNotAllowed(
  scope: FastifyInstance,
  path: string,
  allowed: readonly HTTPMethods[],
): void {
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD' as const] : [])]
  const others = METHODS.filter((method) => !allowed.includes(method))
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
