import type { onRequestAsyncHookHandler } from 'fastify'

import type { RateLimiter } from '../domain/limits/rate-limiter.js'

/**
 * An onRequest hook that counts the request against `limiter` per client address and route
 * name (an IPv6 address counts as its network: see client-key.ts). onRequest runs before the body is read, the token checked or anything else, so a limited
 * client is refused first and cheaply (docs/surfaces/3-lock.md: "checked before anything else"). The
 * address is the socket peer unless TRUST_PROXY names it a proxy, so a spoofed
 * X-Forwarded-For from anyone else changes nothing.
 */
export function rateLimitHook(limiter: RateLimiter, name: string): onRequestAsyncHookHandler {
  return async (request) => {
    await limiter.hitClient(name, request.ip)
  }
}
