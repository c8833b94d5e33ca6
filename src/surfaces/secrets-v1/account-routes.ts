import type { FastifyBaseLogger } from 'fastify'

import type { MailOutcome } from '../../domain/accounts/recovery-service.js'
import { principalOf } from '../../http/authenticate.js'
import { rateLimitHook } from '../../http/rate-limit.js'
import { contextOf } from '../../http/request-context.js'
import { BEARER } from './context.js'
import type { RouteDeps, Scope } from './context.js'
import {
  ActivateBody,
  ActivatedUserResponse,
  DeleteAccountBody,
  ErrorResponse,
  FieldErrorsResponse,
  MessageResponse,
  ResetPasswordBody,
  ResetRequestBody,
} from './schemas.js'

const TAGS = ['Secrets v1 (/v1): accounts']

/**
 * Logs what became of a mail, never its token or recipient: operators must see at once that
 * resets go nowhere when mail is not configured, and why a sent one failed.
 */
export function logMail(log: FastifyBaseLogger, what: string, outcome: MailOutcome): void {
  if (outcome.mail === 'not-configured') {
    log.warn(
      { mail: 'not-configured' },
      `${what}: no mail sent, because mail is not configured (set SMTP_URL and MAIL_FROM)`,
    )
    return
  }
  log.info({ mail: 'sending' }, `${what}: mail handed to the SMTP server`)
  void outcome.delivery.then((failure) => {
    if (failure !== undefined)
      log.error({ mail: 'failed', reason: failure }, `${what}: mail failed`)
  })
}

/**
 * The original's account routes (docs/surfaces/2-secrets-v1.md "Account routes"): activation,
 * password reset by mail, and an account deleting itself.
 */
export function registerAccountRoutes(
  scope: Scope,
  { services, authenticated, lookupLimiter }: RouteDeps,
): void {
  const { recovery, deletion } = services

  scope.put(
    '/auth/activate',
    {
      schema: {
        tags: TAGS,
        summary: 'Confirm an e-mail address with the token of the welcome mail',
        description:
          'Accounts are active from registration; the welcome mail (sent when mail is configured) carries a one-use token that confirms the address.',
        body: ActivateBody,
        response: {
          200: ActivatedUserResponse,
          400: ErrorResponse,
          404: ErrorResponse,
          422: FieldErrorsResponse,
        },
      },
    },
    async (request) => {
      const user = await recovery.activate(request.body.token, contextOf(request))
      return {
        user: {
          id: user.id,
          email: user.email,
          username: user.username,
          created_at: user.createdAt,
          activated: true,
        },
      }
    },
  )

  scope.post(
    '/auth/reset',
    {
      // It answers whether an e-mail has an account, as the original did: as slow as the lookup.
      onRequest: rateLimitHook(lookupLimiter, 'v1-user-lookup'),
      schema: {
        tags: TAGS,
        summary: 'Mail a one-use password-reset token (valid one hour) to an account’s e-mail',
        body: ResetRequestBody,
        response: {
          202: MessageResponse,
          400: ErrorResponse,
          404: ErrorResponse,
          422: FieldErrorsResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const outcome = await recovery.requestPasswordReset(request.body.email, contextOf(request))
      logMail(request.log, 'password reset requested', outcome)
      return reply.code(202).send({ message: 'An email will be sent with reset instructions' })
    },
  )

  scope.put(
    '/auth/reset',
    {
      schema: {
        tags: TAGS,
        summary: 'Set a new password (8+ characters) with a reset token; every earlier token dies',
        body: ResetPasswordBody,
        response: {
          200: MessageResponse,
          400: ErrorResponse,
          404: ErrorResponse,
          422: FieldErrorsResponse,
        },
      },
    },
    async (request) => {
      await recovery.resetPassword(request.body.token, request.body.password, contextOf(request))
      return { message: 'Your password was reset successfully' }
    },
  )

  scope.post(
    '/auth/delete',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'Delete the signed-in account, confirmed with its own e-mail and password',
        description:
          'Deletes the account with its secrets, every share of them and to it, its group memberships and the groups it created, in one transaction. The audit history stays.',
        security: BEARER,
        body: DeleteAccountBody,
        response: {
          200: MessageResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          404: ErrorResponse,
          422: FieldErrorsResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request) => {
      await deletion.deleteSelf(principalOf(request), request.body, contextOf(request))
      return { message: 'Your account has been deleted' }
    },
  )
}
