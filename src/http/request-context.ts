import type { FastifyRequest } from 'fastify'
import type { RequestContext } from '../domain/request-context.js'

/**
 * Who is asking, for the audit log. `request.ip` is the socket peer unless TRUST_PROXY names the
 * peer as a proxy; only then is X-Forwarded-For believed (Fastify's trustProxy does the walk).
 */
export const contextOf = (request: FastifyRequest): RequestContext => ({
  clientIp: request.ip,
  userAgent: request.headers['user-agent'] ?? '',
})
