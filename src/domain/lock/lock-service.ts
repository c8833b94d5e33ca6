import type { Kysely } from 'kysely'

import type { Envelope } from '../../crypto/envelope.js'
import type { Database } from '../../db/schema.js'
import type { LookupHasher } from '../../crypto/lookup.js'
import { AppError, conflict, forbidden } from '../../errors.js'
import type { AccountService, RegisterInput } from '../accounts/account-service.js'
import { usernameKey } from '../accounts/identity.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AuditReader } from '../audit/audit-reader.js'
import { findDirectory, findUsernames, isUsernameTaken } from './lock-repo.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'

/** The debug views show at most this many rows, newest first: they are for looking, not exporting. */
export const DEBUG_VIEW_LIMIT = 1000

/** The original's shortest acceptable password (docs/surfaces/3-lock.md). */
export const LOCK_MIN_PASSWORD_LENGTH = 8

/** One unlock: who, how, when (ISO-8601). The surface words it in the original's columns. */
export interface UnlockRecord {
  id: number
  username: string | null
  method: string
  occurredAt: string
}

/** One user of the lock app: never a password or its hash. */
export interface UserRecord {
  id: number
  publicId: string
  username: string | null
  phone: string | null
  address: string | null
}

export type LockService = ReturnType<typeof createLockService>

/**
 * The smart-lock app's domain (docs/surfaces/3-lock.md): an unlock is an audit event, so the lock's
 * history is as tamper-evident as everything else. The debug views are administrators' only,
 * and looking at them is itself an audit event.
 */
export function createLockService(deps: {
  db: Kysely<Database>
  audit: Pick<AuditLog, 'record'>
  auditReader: Pick<AuditReader, 'latest'>
  envelope: Pick<Envelope, 'open'>
  accounts: Pick<AccountService, 'register'>
  lookup: LookupHasher
}) {
  const { db, audit, auditReader, envelope, accounts, lookup } = deps

  /** A stable, unguessable public id per user (the original kept a random UUID per row). */
  const publicId = (id: number): string => {
    const hex = Buffer.from(lookup('user-public-id', String(id)), 'base64url')
      .subarray(0, 16)
      .toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }

  const requireAdmin = async (
    viewer: Principal,
    view: string,
    context: RequestContext,
  ): Promise<void> => {
    const allowed = viewer.role === 'admin'
    await audit.record({
      type: 'admin.view',
      outcome: allowed ? 'success' : 'denied',
      actorId: viewer.userId,
      details: { view },
      context,
    })
    if (!allowed) throw forbidden('admin')
  }

  const openText = (sealed: Buffer | null, aad: string): string | null =>
    sealed === null ? null : envelope.open(sealed, aad).toString('utf8')

  return {
    /**
     * Registration in the original's order of refusals: a taken username is "User already
     * exists" even when the password is also too short; only then is a short password weak.
     */
    async register(input: RegisterInput & { username: string }, context: RequestContext) {
      if (input.password.length < LOCK_MIN_PASSWORD_LENGTH) {
        if (await isUsernameTaken(db, usernameKey(input.username))) throw conflict('username')
        throw new AppError('VALIDATION_FAILED', 'Weak password', { subject: 'weak-password' })
      }
      return accounts.register(input, context)
    },

    async logUnlock(principal: Principal, method: string, context: RequestContext): Promise<void> {
      await audit.record({
        type: 'lock.unlock',
        outcome: 'success',
        actorId: principal.userId,
        target: { type: 'user', id: principal.userId },
        details: { method },
        context,
      })
    },

    async unlockLog(viewer: Principal, context: RequestContext): Promise<UnlockRecord[]> {
      await requireAdmin(viewer, 'lock-logs', context)
      const events = await auditReader.latest(['lock.unlock'], DEBUG_VIEW_LIMIT)
      const usernames = await findUsernames(
        db,
        events.flatMap((event) => (event.actorId === null ? [] : [event.actorId])),
      )
      return events.map((event) => ({
        id: event.id,
        username: event.actorId === null ? null : (usernames.get(event.actorId) ?? null),
        method: typeof event.details.method === 'string' ? event.details.method : '',
        occurredAt: event.occurredAt,
      }))
    },

    async userDirectory(viewer: Principal, context: RequestContext): Promise<UserRecord[]> {
      await requireAdmin(viewer, 'lock-users', context)
      const rows = await findDirectory(db, DEBUG_VIEW_LIMIT)
      return rows.map((row) => ({
        id: row.id,
        publicId: publicId(row.id),
        username: row.username,
        phone: openText(row.phone_sealed, `user-phone:${row.id}`),
        address: openText(row.address_sealed, `user-address:${row.id}`),
      }))
    },
  }
}
