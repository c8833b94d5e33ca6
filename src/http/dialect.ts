import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import { AppError } from '../errors.js'
import { normalizeError } from './normalize-error.js'

/** How one surface words an error: status, JSON body and any extra headers. */
export interface Rendered {
  status: number
  body: unknown
  headers?: Record<string, string>
}

export type Renderer = (error: AppError, request: FastifyRequest) => Rendered

const INTERNAL = new AppError('INTERNAL', 'Internal Server Error')

/**
 * Installs one surface's error and not-found handlers on its (encapsulated) scope, so its dialect
 * never leaks into another surface. Unexpected errors are logged with the request id, by type and
 * message only, and answered with the surface's generic 500: no stack, path, SQL or exception name
 * ever reaches a client (docs/architecture.md "Everywhere").
 */
export function installDialect(
  scope: FastifyInstance,
  render: Renderer,
  options: { notFound: boolean } = { notFound: true },
): void {
  const send = (reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply => {
    const rendered = render(error, request)
    if (error.code === 'RATE_LIMITED' && error.details.retryAfterSeconds !== undefined) {
      reply.header('Retry-After', String(error.details.retryAfterSeconds))
    }
    if (error.code === 'METHOD_NOT_ALLOWED' && error.details.allow !== undefined) {
      reply.header('Allow', error.details.allow.join(', '))
    }
    for (const [name, value] of Object.entries(rendered.headers ?? {})) reply.header(name, value)
    return reply.code(rendered.status).type('application/json; charset=utf-8').send(rendered.body)
  }

  scope.setErrorHandler((error, request, reply) => {
    const known = normalizeError(error)
    if (known === undefined) {
      request.log.error(
        { err: { type: errorType(error), message: errorMessage(error) } },
        'request failed unexpectedly',
      )
      return send(reply, request, INTERNAL)
    }
    return send(reply, request, known)
  })

  // Only a scope with its own prefix may answer unknown paths; surfaces mounted at `/` share
  // the root's answer.
  if (options.notFound) {
    scope.setNotFoundHandler((request, reply) =>
      send(reply, request, new AppError('NOT_FOUND', 'Not Found', { subject: 'route' })),
    )
  }
}

const errorType = (error: unknown): string =>
  error instanceof Error ? error.constructor.name : typeof error
const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message.slice(0, 500) : 'non-error thrown'
