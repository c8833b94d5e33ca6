import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import { hashingBudget, oneTimeCreationLimit } from '../../http/anonymous-limits.js'
import { installDialect } from '../../http/dialect.js'
import { contextOf } from '../../http/request-context.js'
import type { Services } from '../../services.js'
import { answerMethodNotAllowed } from '../../http/method-not-allowed.js'
import { nullMeansAbsent } from '../../http/null-means-absent.js'
import { noCache, storeOneTimeSecret } from '../common/one-time.js'
import { renderGenerate } from './dialect.js'
import {
  DetailResponse,
  GenerateBody,
  RevealBody,
  RevealQuery,
  SecretKeyParams,
  SecretKeyResponse,
  SecretResponse,
  ValidationResponse,
} from './schemas.js'

const TAGS = ['Generate (/generate, /secrets)']

/**
 * Surface 5, mounted at `/` (docs/surfaces/5-generate.md). The passphrase is
 * part of the secret's key. `POST /secrets/{key}` carries it in the body, which keeps it out of
 * URLs, proxies and browser history; `GET …?passphrase=` is there for the original's clients.
 */
export const generateSurface: FastifyPluginAsyncTypebox<{
  services: Pick<Services, 'oneTime' | 'anonymousLimits' | 'clientKey'>
}> = async (scope, { services }) => {
  scope.addHook('onRequest', noCache)
  // Mounted at `/`: unknown paths get the root's FastAPI 404, which is this surface's dialect too.
  installDialect(scope, renderGenerate, { notFound: false })
  answerMethodNotAllowed(scope)
  const { oneTime, anonymousLimits } = services
  // Every creation and every reveal hashes the passphrase with argon2id.
  const hashing = hashingBudget(anonymousLimits)

  const revealSchema = {
    tags: TAGS,
    params: SecretKeyParams,
    response: {
      200: SecretResponse,
      404: DetailResponse,
      422: ValidationResponse,
      429: DetailResponse,
    },
  }

  scope.post(
    '/generate',
    {
      onRequest: [oneTimeCreationLimit(anonymousLimits), hashing],
      preValidation: nullMeansAbsent(['ttl_seconds']),
      schema: {
        tags: TAGS,
        summary: 'Store a secret behind a passphrase; returns the key that reads it once',
        body: GenerateBody,
        response: { 200: SecretKeyResponse, 422: ValidationResponse, 429: DetailResponse },
      },
    },
    async (request) => {
      const { secret, passphrase, ttl_seconds } = request.body
      const input = { kind: 'generate' as const, secret, passphrase, ttlSeconds: ttl_seconds }
      return storeOneTimeSecret(services, input, request)
    },
  )

  scope.get(
    '/secrets/:secret_key',
    {
      // A HEAD must not spend an attempt or burn the secret.
      exposeHeadRoute: false,
      onRequest: hashing,
      schema: {
        ...revealSchema,
        summary: 'Read a secret once with its passphrase (prefer POST: no passphrase in the URL)',
        querystring: RevealQuery,
      },
    },
    async (request) => ({
      secret: await oneTime.reveal(
        request.params.secret_key,
        request.query.passphrase,
        contextOf(request),
      ),
    }),
  )

  scope.post(
    '/secrets/:secret_key',
    {
      onRequest: hashing,
      schema: {
        ...revealSchema,
        summary: 'Read a secret once with its passphrase in the body',
        body: RevealBody,
      },
    },
    async (request) => ({
      secret: await oneTime.reveal(
        request.params.secret_key,
        request.body.passphrase,
        contextOf(request),
      ),
    }),
  )
}
