import type { FastifyRequest } from 'fastify'

import type { RateLimiter } from '../domain/limits/rate-limiter.js'

/**
 * Who a per-client limit or quota counts against: the client address, which is the socket peer
 * unless TRUST_PROXY names it a proxy, so a spoofed X-Forwarded-For from anyone else changes
 * nothing. Every per-client limit and quota keys on this one function.
 */
export function clientKeyOf(request: FastifyRequest): string {
  return request.ip
}

/**
 * A hook that counts the request against `limiter` per client and route name. As an onRequest
 * hook it runs before the body is read, the token checked or anything else, so a limited client
 * is refused first and cheaply (docs/surfaces/3-lock.md: "checked before anything else"). With
 * `when`, it is a preHandler hook that counts only the requests `when` picks from their
 * validated input (a one-time secret with a passphrase, say).
 */
export function rateLimitHook(
  limiter: RateLimiter,
  name: string,
  when?: (request: FastifyRequest) => boolean,
): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    if (when === undefined || when(request)) await limiter.hit(`${name}:${clientKeyOf(request)}`)
  }
}
