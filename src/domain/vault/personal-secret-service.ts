import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import type { Envelope } from '../../crypto/envelope.js'
import type { Database } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import { AppError, notFound } from '../../errors.js'
import { usernameKey } from '../accounts/identity.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AuditEvent } from '../audit/types.js'
import { findPersonalSecret, upsertPersonalSecret } from './personal-secrets-repo.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'

export type PersonalSecretService = ReturnType<typeof createPersonalSecretService>

export const aadFor = (userId: number): string => `personal-secret:${userId}`

/**
 * One secret per user, readable and writable by that user only (docs/surfaces/1-secret-storage.md). Naming any
 * other username is refused exactly like a bad token, so the answer never tells whether the
 * other user exists or has a secret.
 */
export function createPersonalSecretService(deps: {
  db: Kysely<Database>
  transact: Transact
  clock: Clock
  envelope: Envelope
  audit: Pick<AuditLog, 'append' | 'record'>
}) {
  const { db, transact, clock, envelope, audit } = deps

  /** A set or a read of the caller's own secret: the caller is both actor and target. */
  const onOwnSecret = (
    principal: Principal,
    type: 'personal-secret.set' | 'personal-secret.read',
    context: RequestContext,
  ): AuditEvent => ({
    type,
    outcome: 'success',
    actorId: principal.userId,
    target: { type: 'user', id: principal.userId },
    context,
  })

  const requireSelf = async (
    principal: Principal,
    username: string,
    type: 'personal-secret.set' | 'personal-secret.read',
    context: RequestContext,
  ): Promise<void> => {
    if (principal.username !== null && usernameKey(principal.username) === usernameKey(username))
      return
    await audit.record({
      type,
      outcome: 'denied',
      actorId: principal.userId,
      details: { reason: 'not-owner' },
      context,
    })
    throw new AppError('UNAUTHORIZED', 'Not authorized', {
      authFailure: 'invalid',
      subject: 'not-owner',
    })
  }

  return {
    async set(
      principal: Principal,
      username: string,
      secret: string,
      context: RequestContext,
    ): Promise<void> {
      await requireSelf(principal, username, 'personal-secret.set', context)
      const plaintext = Buffer.from(secret, 'utf8')
      const sealed = envelope.seal(plaintext, aadFor(principal.userId))
      plaintext.fill(0)
      await transact(async (trx) => {
        await upsertPersonalSecret(trx, principal.userId, sealed, clock.now().toISOString())
        await audit.append(trx, onOwnSecret(principal, 'personal-secret.set', context))
      })
    },

    /**
     * The secret, once its read is on the audit log. A read takes no transaction: the row is
     * read as committed, and the event that records the read is committed (and on disk) before
     * the secret leaves; no record, no secret.
     */
    async get(principal: Principal, username: string, context: RequestContext): Promise<string> {
      await requireSelf(principal, username, 'personal-secret.read', context)
      const sealed = await findPersonalSecret(db, principal.userId)
      if (sealed === undefined) throw notFound('personal-secret')
      const plaintext = envelope.open(sealed, aadFor(principal.userId))
      try {
        await audit.record(onOwnSecret(principal, 'personal-secret.read', context))
        return plaintext.toString('utf8')
      } finally {
        plaintext.fill(0)
      }
    },
  }
}
