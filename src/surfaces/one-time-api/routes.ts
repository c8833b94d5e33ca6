import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import { hashingBudgetWithPassphrase, oneTimeCreationLimit } from '../../http/anonymous-limits.js'
import { requireAuth } from '../../http/authenticate.js'
import { installDialect } from '../../http/dialect.js'
import { contextOf } from '../../http/request-context.js'
import type { Services } from '../../services.js'
import { renderOneTimeApi } from './dialect.js'
import { answerMethodNotAllowed } from '../../http/method-not-allowed.js'
import { nullMeansAbsent } from '../../http/null-means-absent.js'
import { noCache, storeOneTimeSecret } from '../common/one-time.js'
import {
  CreateSecretBody,
  DeleteSecretQuery,
  DetailResponse,
  EmptyResponse,
  EventPageResponse,
  EventQuery,
  SecretKeyParams,
  SecretKeyResponse,
  SecretResponse,
  ValidationResponse,
} from './schemas.js'

const TAGS = ['One-time (/api)']

/**
 * Surface 4, mounted at `/api` (docs/surfaces/4-one-time.md). Its own scope:
 * its dialect, its 404s and its no-cache header stay here. `/api/openapi.json` and `/api/docs`
 * are root routes and unaffected.
 */
export const oneTimeApiSurface: FastifyPluginAsyncTypebox<{
  services: Pick<Services, 'accounts' | 'oneTime' | 'anonymousLimits' | 'clientKey'>
  /** EVENTS_PUBLIC: serve `/api/event` without an admin token. */
  eventsPublic: boolean
}> = async (scope, { services, eventsPublic }) => {
  scope.addHook('onRequest', noCache)
  installDialect(scope, renderOneTimeApi)
  answerMethodNotAllowed(scope)
  const { accounts, oneTime, anonymousLimits } = services

  scope.post(
    '/secret',
    {
      onRequest: oneTimeCreationLimit(anonymousLimits),
      preValidation: nullMeansAbsent(['passphrase', 'ttl_seconds']),
      // A passphrase is hashed with argon2id; a secret without one costs no hashing.
      preHandler: hashingBudgetWithPassphrase(anonymousLimits, 'body'),
      schema: {
        tags: TAGS,
        summary: 'Store a secret that can be read once; returns its key',
        body: CreateSecretBody,
        response: { 200: SecretKeyResponse, 422: ValidationResponse, 429: DetailResponse },
      },
    },
    async (request) => {
      const { secret, passphrase, ttl_seconds } = request.body
      const input = { kind: 'api' as const, secret, passphrase, ttlSeconds: ttl_seconds }
      return storeOneTimeSecret(services, input, request)
    },
  )

  scope.get(
    '/secret/:secret_key',
    {
      // A HEAD must not burn the secret: without its twin, HEAD is answered 405 (method-not-allowed.ts).
      exposeHeadRoute: false,
      schema: {
        tags: TAGS,
        summary: 'Read a secret once; every later read is 404',
        params: SecretKeyParams,
        response: { 200: SecretResponse, 404: DetailResponse },
      },
    },
    async (request) => ({
      secret: await oneTime.read(request.params.secret_key, contextOf(request)),
    }),
  )

  scope.delete(
    '/secret/:secret_key',
    {
      preHandler: hashingBudgetWithPassphrase(anonymousLimits, 'query'),
      schema: {
        tags: TAGS,
        summary: 'Delete a secret unread; needs its passphrase if it has one',
        params: SecretKeyParams,
        querystring: DeleteSecretQuery,
        response: {
          200: EmptyResponse,
          401: DetailResponse,
          404: DetailResponse,
          422: ValidationResponse,
          429: DetailResponse,
        },
      },
    },
    async (request, reply) => {
      await oneTime.remove(request.params.secret_key, request.query.passphrase, contextOf(request))
      return reply.code(200).send()
    },
  )

  scope.get(
    '/event',
    {
      // Who may list events is the service's rule; the surface only says who is asking.
      ...(eventsPublic ? {} : { preValidation: requireAuth((t) => accounts.authenticate(t)) }),
      schema: {
        tags: TAGS,
        summary: 'Create, read and delete events, oldest first (admin unless EVENTS_PUBLIC)',
        ...(eventsPublic ? {} : { security: [{ bearer: [] }] }),
        querystring: EventQuery,
        response: {
          200: EventPageResponse,
          401: DetailResponse,
          403: DetailResponse,
          422: ValidationResponse,
        },
      },
    },
    async (request) => {
      const page = await oneTime.eventPage(
        { page: request.query.page, pageSize: request.query.page_size },
        request.principal,
        contextOf(request),
      )
      return {
        total: page.total,
        size: page.size,
        events: page.events.map((event) => ({
          id: event.eventId,
          client_ip: event.clientIp,
          client_user_agent: event.userAgent,
          type: event.kind,
          created_at: event.occurredAt,
          secret_id: event.secretId,
        })),
      }
    },
  )
}
