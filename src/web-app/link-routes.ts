import type { FastifyRequest } from 'fastify'

import { contextOf } from '../http/request-context.js'
import { hashingBudgetWithPassphrase, oneTimeCreationLimit } from '../http/anonymous-limits.js'
import { rateLimitHook } from '../http/rate-limit.js'
import { isAppError, notFound, unauthorized } from '../errors.js'
import { canonicalLinkKey } from '../domain/one-time/link-keys.js'
import type { WebAppScope, WebAppServices } from './context.js'
import { CreateLinkBody, LinkKeyParams, RevealBody } from './schemas.js'
import { sessionPrincipal } from './session.js'
import { sessionToken } from './session-cookie.js'

/** Per client address, for creating and for revealing: plenty for people, slow for guessing. */
const LINK_LIMIT = { limit: 30, windowMs: 60_000, text: '30/minute' }

/**
 * Zero-knowledge one-time links (docs/web-app.md "One-time links"). The browser has already
 * encrypted the secret under a key that stays in the link's #fragment; these routes move the
 * ciphertext in and out of the one-time store through the one-time service, so exactly-once
 * reading, expiry and the passphrase budget are the store's own rules. A link without a
 * passphrase is a surface-4 (`api`) secret; one with a passphrase is a surface-5 (`generate`)
 * secret, whose passphrase the server judges and whose wrong attempts it counts.
 */
export function registerLinkRoutes(scope: WebAppScope, services: WebAppServices): void {
  const { oneTime, accounts } = services

  /**
   * Who a new link is from: the signed-in person's e-mail (else username). Without a live
   * session the link is anonymous rather than refused: anyone may make one.
   */
  const senderOf = async (request: FastifyRequest): Promise<string | undefined> => {
    if (sessionToken(request) === undefined) return undefined
    try {
      const principal = await sessionPrincipal(accounts, request)
      return principal.email ?? principal.username ?? undefined
    } catch (error) {
      if (isAppError(error) && error.code === 'UNAUTHORIZED') return undefined
      throw error
    }
  }
  const limited = rateLimitHook(services.rateLimiter([LINK_LIMIT]), 'app-link')
  // The same per-client budgets as surfaces 4 and 5, whose secrets these links are.
  const { anonymousLimits } = services
  const hashing = hashingBudgetWithPassphrase(anonymousLimits, 'body')

  scope.post(
    '/links',
    {
      onRequest: [limited, oneTimeCreationLimit(anonymousLimits)],
      preHandler: hashing,
      schema: { hide: true, body: CreateLinkBody },
    },
    async (request) => {
      const { ciphertext, passphrase, ttl_seconds } = request.body
      const protectedLink = passphrase !== undefined && passphrase !== ''
      const sender = await senderOf(request)
      const from = sender === undefined ? {} : { sender }
      const { secretKey, expiresAt } = await oneTime.create(
        protectedLink
          ? { kind: 'generate', secret: ciphertext, passphrase, ttlSeconds: ttl_seconds, ...from }
          : { kind: 'api', secret: ciphertext, ttlSeconds: ttl_seconds, ...from },
        contextOf(request),
        services.clientKey(request.ip),
      )
      return {
        key: secretKey,
        expires_at: expiresAt,
        passphrase: protectedLink,
        from: sender ?? null,
      }
    },
  )

  /**
   * What the reveal page shows before the click: that the link is live and who it is from.
   * Opens, burns and spends nothing, so a scanner that runs the page's script changes nothing.
   */
  scope.post(
    '/links/:key/about',
    { onRequest: limited, schema: { hide: true, params: LinkKeyParams } },
    async (request) => {
      const { sender } = await oneTime.about(request.params.key)
      return { from: sender }
    },
  )

  scope.post(
    '/links/:key/reveal',
    {
      onRequest: limited,
      preHandler: hashing,
      schema: { hide: true, params: LinkKeyParams, body: RevealBody },
    },
    async (request, reply) => {
      const { key } = request.params
      const passphrase = request.body.passphrase ?? ''
      const context = contextOf(request)
      if (canonicalLinkKey('api', key) !== undefined) {
        return { ciphertext: await oneTime.read(key, context) }
      }
      if (canonicalLinkKey('generate', key) === undefined) throw notFound('one-time-secret')
      // Asking without a passphrase spends nothing: the page just has not asked for one yet.
      if (passphrase === '') throw unauthorized('missing')
      const outcome = await oneTime.revealCounted(key, passphrase, context)
      if (outcome.kind === 'secret') return { ciphertext: outcome.secret }
      return reply
        .code(401)
        .send({ error: 'wrong_passphrase', attempts_left: outcome.attemptsLeft })
    },
  )
}
