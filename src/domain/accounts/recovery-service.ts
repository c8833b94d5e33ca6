import { randomBytes } from 'node:crypto'

import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import type { LookupHasher } from '../../crypto/lookup.js'
import type { PasswordHasher } from '../../crypto/passwords.js'
import type { Database } from '../../db/schema.js'
import type { AccountTokenScope } from '../../db/tables/accounts.js'
import type { Transact } from '../../db/transaction.js'
import { notFound } from '../../errors.js'
import type { Mailer } from '../../mail/mailer.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AuditEvent } from '../audit/types.js'
import {
  accountTokenByHash,
  deleteAccountTokens,
  replaceAccountToken,
} from './account-tokens-repo.js'
import { emailKey } from './identity.js'
import { findUserByEmailKey, findUserById, updateUserPassword } from './users-repo.js'
import { toUserView } from './views.js'
import type { UserView } from './views.js'
import type { RequestContext } from '../request-context.js'

/** A reset link is good for an hour, as the original's; an activation token for three days. */
export const TOKEN_LIFETIME_MS: Readonly<Record<AccountTokenScope, number>> = {
  'password-reset': 3_600_000,
  activation: 3 * 86_400_000,
}

/** What became of the mail a request asked for; never the token itself. */
export type MailOutcome =
  | { mail: 'not-configured' }
  /** `delivery` never rejects: it resolves with the reason the mail failed, or undefined once sent. */
  | { mail: 'sending'; delivery: Promise<string | undefined> }

export type RecoveryService = ReturnType<typeof createRecoveryService>

/**
 * One-use account tokens sent by mail (docs/surfaces/2-secrets-v1.md "Account routes"): password
 * resets and account activation. A token is 192 random bits; only its keyed digest is stored,
 * it works once, for a short time, and only the newest one of a kind works. The token exists in
 * the mail alone: no log line, audit event or answer carries it.
 */
export function createRecoveryService(deps: {
  db: Kysely<Database>
  transact: Transact
  clock: Clock
  passwords: PasswordHasher
  lookup: LookupHasher
  audit: Pick<AuditLog, 'append' | 'record'>
  mailer: Mailer
}) {
  const { db, transact, clock, passwords, lookup, audit, mailer } = deps
  const digest = (token: string): string => lookup('account-token', token)

  /** A password reset that cannot go on: on the record, then the contract's NOT_FOUND. */
  const resetRefused = async (
    stage: 'issue' | 'use',
    reason: 'no-such-account' | 'unknown-token',
    context: RequestContext,
  ): Promise<never> => {
    await audit.record({
      type: 'user.password-reset',
      outcome: 'failure',
      actorId: null,
      details: { stage, reason },
      context,
    })
    throw notFound(stage === 'issue' ? 'user' : 'token')
  }

  /** Stores a fresh token of `scope` for the user and mails it, when mail is configured. */
  const issue = async (
    userId: number,
    email: string,
    scope: AccountTokenScope,
    compose: (token: string) => { subject: string; text: string },
    context: RequestContext,
  ): Promise<MailOutcome> => {
    const issued = (mail: MailOutcome['mail']): AuditEvent => ({
      type: scope === 'activation' ? 'user.activate' : 'user.password-reset',
      outcome: mail === 'sending' ? 'success' : 'failure',
      actorId: userId,
      target: { type: 'user', id: userId },
      details: { stage: 'issue', mail },
      context,
    })
    if (!mailer.configured) {
      await audit.record(issued('not-configured'))
      return { mail: 'not-configured' }
    }
    const token = randomBytes(24).toString('base64url')
    const now = clock.now()
    await transact(async (trx) => {
      await replaceAccountToken(trx, {
        tokenHash: digest(token),
        userId,
        scope,
        expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS[scope]).toISOString(),
      })
      await audit.append(trx, issued('sending'))
    })
    const delivery = mailer.send({ to: email, ...compose(token) }).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : 'mail was not accepted'),
    )
    return { mail: 'sending', delivery }
  }

  return {
    mailConfigured: mailer.configured,

    /**
     * Starts a password reset for the account with this e-mail: NOT_FOUND when there is none
     * (the contract's answer; the route rate-limits it like the e-mail lookup).
     */
    async requestPasswordReset(email: string, context: RequestContext): Promise<MailOutcome> {
      const user = await findUserByEmailKey(db, emailKey(email))
      if (user === undefined || user.email === null) {
        return resetRefused('issue', 'no-such-account', context)
      }
      return issue(
        user.id,
        user.email,
        'password-reset',
        (token) => ({
          subject: 'Reset your Strongroom password',
          text:
            'Someone (hopefully you) asked to reset the password of this account.\n\n' +
            `Send this token with your new password to PUT /v1/auth/reset within the hour:\n\n${token}\n\n` +
            'If it was not you, ignore this message: your password stays as it is.\n',
        }),
        context,
      )
    },

    /**
     * Sets a new password with a reset token. The token is checked before the (slow) hash and
     * used up in the transaction that sets the password, so it works exactly once; every token
     * the user had dies with the old password.
     */
    async resetPassword(token: string, password: string, context: RequestContext): Promise<void> {
      const tokenHash = digest(token)
      const now = clock.now().toISOString()
      const refuse = (): Promise<never> => resetRefused('use', 'unknown-token', context)
      if ((await accountTokenByHash(db, tokenHash, 'password-reset', now).owner()) === undefined) {
        return refuse()
      }
      const passwordHash = await passwords.hash(password)
      const userId = await transact(async (trx) => {
        const owner = await accountTokenByHash(trx, tokenHash, 'password-reset', now).consume()
        if (owner === undefined) return undefined
        await updateUserPassword(trx, owner, passwordHash, now)
        await deleteAccountTokens(trx, owner, 'password-reset')
        await audit.append(trx, {
          type: 'user.password',
          outcome: 'success',
          actorId: owner,
          target: { type: 'user', id: owner },
          details: { via: 'reset-token' },
          context,
        })
        return owner
      })
      if (userId === undefined) return refuse()
    },

    /** Mails a new account its activation token (the original's welcome mail), when mail is configured. */
    sendWelcome(user: UserView, context: RequestContext): Promise<MailOutcome> {
      // Without mail there is no token to send, and nothing worth an audit event.
      if (user.email === null || !mailer.configured) {
        return Promise.resolve({ mail: 'not-configured' })
      }
      return issue(
        user.id,
        user.email,
        'activation',
        (token) => ({
          subject: 'Welcome to Strongroom',
          text:
            'Your account is ready to use.\n\n' +
            `To confirm this address, send this token to PUT /v1/auth/activate within three days:\n\n${token}\n`,
        }),
        context,
      )
    },

    /**
     * Uses an activation token up. Accounts are active from registration, so this confirms the
     * address and answers the account; NOT_FOUND for a token that is unknown, used or expired.
     */
    async activate(token: string, context: RequestContext): Promise<UserView> {
      const now = clock.now().toISOString()
      const user = await transact(async (trx) => {
        const owner = await accountTokenByHash(trx, digest(token), 'activation', now).consume()
        const row = owner === undefined ? undefined : await findUserById(trx, owner)
        await audit.append(trx, {
          type: 'user.activate',
          outcome: row === undefined ? 'failure' : 'success',
          actorId: row?.id ?? null,
          ...(row === undefined ? {} : { target: { type: 'user', id: row.id } }),
          details: { stage: 'use' },
          context,
        })
        return row
      })
      if (user === undefined) throw notFound('token')
      return toUserView(user)
    },
  }
}
