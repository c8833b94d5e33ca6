import type { UserView } from '../../domain/accounts/views.js'
import { principalOf } from '../../http/authenticate.js'
import { hashingBudget } from '../../http/anonymous-limits.js'
import { rateLimitHook } from '../../http/rate-limit.js'
import { contextOf } from '../../http/request-context.js'
import { logInByEmail } from '../common/login.js'
import { logMail } from './account-routes.js'
import { BEARER } from './context.js'
import type { RouteDeps, Scope } from './context.js'
import {
  ErrorResponse,
  FieldErrorsResponse,
  LoginBody,
  RegisterBody,
  TokenResponse,
  UserLookupQuery,
  UserResponse,
  NoContentResponse,
} from './schemas.js'

const TAGS = ['Secrets v1 (/v1): accounts']

const toUser = (user: UserView) => ({
  id: user.id,
  email: user.email,
  username: user.username,
  created_at: user.createdAt,
})

/**
 * Accounts on surface 2: the same users, passwords and tokens as every other surface
 * (docs/architecture.md "One token currency"), with this surface's rules for new passwords and e-mails.
 */
export function registerAuthRoutes(
  scope: Scope,
  { services, authenticated, lookupLimiter }: RouteDeps,
): void {
  const { accounts, directory, recovery } = services

  scope.post(
    '/auth/register',
    {
      onRequest: hashingBudget(services.anonymousLimits),
      schema: {
        tags: TAGS,
        summary: 'Register with e-mail, password (8+ characters) and an optional username',
        body: RegisterBody,
        response: {
          201: UserResponse,
          400: ErrorResponse,
          409: ErrorResponse,
          422: FieldErrorsResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const user = await accounts.register(request.body, contextOf(request))
      // The original's welcome mail, with the token PUT /v1/auth/activate takes.
      const welcome = await recovery.sendWelcome(user, contextOf(request))
      if (welcome.mail === 'sending') logMail(request.log, 'welcome mail', welcome)
      return reply.code(201).send({ user: toUser(user) })
    },
  )

  scope.post(
    '/auth/login',
    {
      schema: {
        tags: TAGS,
        summary: 'Log in with e-mail and password; the token works on every surface',
        body: LoginBody,
        response: {
          200: TokenResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          422: FieldErrorsResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request) => {
      const { token } = await logInByEmail(accounts, request.body, request)
      return { token }
    },
  )

  scope.post(
    '/auth/logout',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'Revoke the bearer token, on every surface',
        security: BEARER,
        response: { 204: NoContentResponse, 401: ErrorResponse },
      },
    },
    async (request, reply) => {
      await accounts.logout(principalOf(request), contextOf(request))
      return reply.code(204).send(null)
    },
  )

  scope.get(
    '/users/me',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'The signed-in user',
        security: BEARER,
        response: { 200: UserResponse, 401: ErrorResponse },
      },
    },
    async (request) => ({ user: toUser(await directory.me(principalOf(request))) }),
  )

  scope.get(
    '/users',
    {
      // Per client address before anything else, then per account once it is known: the
      // lookup answers only exact e-mails, and this keeps guessing them slow.
      onRequest: rateLimitHook(lookupLimiter, 'v1-user-lookup'),
      preValidation: authenticated,
      preHandler: async (request) => {
        await lookupLimiter.hit(`v1-user-lookup-account:${principalOf(request).userId}`)
      },
      schema: {
        tags: TAGS,
        summary: 'Find one user by exact e-mail (rate limited)',
        security: BEARER,
        querystring: UserLookupQuery,
        response: {
          200: UserResponse,
          401: ErrorResponse,
          404: ErrorResponse,
          422: FieldErrorsResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request) => ({
      user: toUser(
        await directory.findByEmail(principalOf(request), request.query.email, contextOf(request)),
      ),
    }),
  )
}
