import type { FastifyRequest } from 'fastify'

import type { RateLimiter } from '../limits/rate-limiter.js'
import { rateLimitHook } from './rate-limit.js'

/**
 * The per-client limits on routes anyone may call without an account (SECURITY.md "Limits on
 * anonymous routes"). Each is one count per client shared by every route it guards, on every
 * surface, so spreading requests over surfaces buys nothing.
 */
export interface AnonymousLimits {
  /** Argon2id work: registration and one-time passphrases (ANONYMOUS_HASH_RATE_LIMITS). */
  hashing: RateLimiter
  /** New one-time secrets on surfaces 4 and 5 and the web app (ONE_TIME_CREATE_RATE_LIMITS). */
  oneTimeCreation: RateLimiter
}

type Hook = (request: FastifyRequest) => Promise<void>

/** Every request of the route spends the client's hashing budget (an onRequest hook). */
export const hashingBudget = (limits: AnonymousLimits): Hook =>
  rateLimitHook(limits.hashing, 'anonymous-hash')

/**
 * Only requests whose validated body or query carries a non-empty passphrase spend the hashing
 * budget (a preHandler hook): without one, nothing is hashed.
 */
export const hashingBudgetWithPassphrase = (
  limits: AnonymousLimits,
  part: 'body' | 'query',
): Hook =>
  rateLimitHook(limits.hashing, 'anonymous-hash', (request) => hasPassphrase(request[part]))

/** Every request of the route counts as one new one-time secret (an onRequest hook). */
export const oneTimeCreationLimit = (limits: AnonymousLimits): Hook =>
  rateLimitHook(limits.oneTimeCreation, 'one-time-create')

function hasPassphrase(input: unknown): boolean {
  if (typeof input !== 'object' || input === null || !('passphrase' in input)) return false
  return typeof input.passphrase === 'string' && input.passphrase !== ''
}
