import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import { principalOf, requireAuth } from '../../http/authenticate.js'
import { installDialect } from '../../http/dialect.js'
import { hashingBudget } from '../../http/anonymous-limits.js'
import { answerMethodNotAllowed } from '../../http/method-not-allowed.js'
import { contextOf } from '../../http/request-context.js'
import { logInByEmail } from '../common/login.js'
import type { Services } from '../../services.js'
import { renderSecretStorage } from './dialect.js'
import {
  DetailResponse,
  GetSecretQuery,
  LoginBody,
  LoginResponse,
  MessageResponse,
  RegisterBody,
  SecretResponse,
  SetSecretBody,
  ValidationResponse,
} from './schemas.js'

const TAGS = ['Secret Storage (/)']
const BEARER = [{ bearer: [] }]

/** Surface 1, mounted at `/` (docs/surfaces/1-secret-storage.md). */
export const secretStorageSurface: FastifyPluginAsyncTypebox<{
  services: Pick<Services, 'accounts' | 'personalSecrets' | 'anonymousLimits'>
}> = async (scope, { services }) => {
  // Mounted at `/`: unknown paths get the root's FastAPI 404, which is this surface's dialect too.
  installDialect(scope, renderSecretStorage, { notFound: false })
  answerMethodNotAllowed(scope)
  const { accounts, personalSecrets } = services
  const authenticated = requireAuth((token) => accounts.authenticate(token))

  scope.post(
    '/register',
    {
      onRequest: hashingBudget(services.anonymousLimits),
      schema: {
        tags: TAGS,
        summary: 'Register with e-mail, username and password',
        body: RegisterBody,
        response: {
          201: MessageResponse,
          400: DetailResponse,
          422: ValidationResponse,
          429: DetailResponse,
        },
      },
    },
    async (request, reply) => {
      // Only the fields this surface takes: anything else in the body is not stored.
      const { email, username, password } = request.body
      await accounts.register({ email, username, password }, contextOf(request))
      return reply.code(201).send({ message: 'Registration successful' })
    },
  )

  scope.post(
    '/login',
    {
      schema: {
        tags: TAGS,
        summary: 'Log in with e-mail and password; returns a JWT',
        body: LoginBody,
        response: {
          200: LoginResponse,
          401: DetailResponse,
          422: ValidationResponse,
          429: DetailResponse,
        },
      },
    },
    async (request) => {
      const { token } = await logInByEmail(accounts, request.body, request)
      return { token, message: 'Login successful' }
    },
  )

  scope.post(
    '/set_secret',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: "Store (or overwrite) the caller's secret",
        security: BEARER,
        body: SetSecretBody,
        response: { 200: MessageResponse, 401: DetailResponse, 422: ValidationResponse },
      },
    },
    async (request) => {
      await personalSecrets.set(
        principalOf(request),
        request.body.username,
        request.body.secret,
        contextOf(request),
      )
      return { message: 'Secret set successfully' }
    },
  )

  scope.get(
    '/get_secret',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: "Read the caller's secret",
        security: BEARER,
        querystring: GetSecretQuery,
        response: {
          200: SecretResponse,
          401: DetailResponse,
          404: DetailResponse,
          422: ValidationResponse,
        },
      },
    },
    async (request) => {
      const secret = await personalSecrets.get(
        principalOf(request),
        request.query.username,
        contextOf(request),
      )
      return { secret }
    },
  )
}
