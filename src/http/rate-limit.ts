import type { FastifyRequest } from 'fastify'

import type { RateLimiter } from '../limits/rate-limiter.js'

/**
 * A hook that counts the request against `limiter` per client and route name: the client is the
 * request's address (the socket peer unless TRUST_PROXY names it a proxy, so a spoofed
 * X-Forwarded-For from anyone else changes nothing), an IPv6 address counted as its network
 * (limits/client-key.ts). As an onRequest
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
    if (when === undefined || when(request)) await limiter.hitClient(name, request.ip)
  }
}
