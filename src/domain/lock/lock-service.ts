import type { Kysely } from 'kysely'

import type { Envelope } from '../../crypto/envelope.js'
import type { Database } from '../../db/schema.js'
import type { LookupHasher } from '../../crypto/lookup.js'
import { AppError, conflict, forbidden } from '../../errors.js'
import type { AccountService, RegisterInput } from '../accounts/account-service.js'
import { usernameKey } from '../accounts/identity.js'
import { listUsers } from '../accounts/users-repo.js'
import type { Principal } from '../accounts/views.js'
import type { AuditLog } from '../audit/audit-log.js'
import { findAuditEvents } from '../audit/query-repo.js'
import type { RequestContext } from '../audit/types.js'
import { findUsernames, isUsernameTaken } from './lock-repo.js'

/** The debug views show at most this many rows, newest first: they are for looking, not exporting. */
export const DEBUG_VIEW_LIMIT = 1000

/** The original's shortest acceptable password (docs/surfaces/3-lock.md). */
export const LOCK_MIN_PASSWORD_LENGTH = 8

/** One row of the unlock log, in the original's columns. */
export interface UnlockRecord {
  id: number
  username: string | null
  unlocking_method: string
  /** When it happened, as RFC 1123 in GMT (`Thu, 03 Dec 2026 10:00:00 GMT`), as Flask wrote it. */
  date_time: string
}

/** One user, in the original's columns: never a password or its hash. */
export interface UserRecord {
  id: number
  public_id: string
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
  envelope: Pick<Envelope, 'open'>
  accounts: Pick<AccountService, 'register'>
  lookup: LookupHasher
}) {
  const { db, audit, envelope, accounts, lookup } = deps

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
      const rows = await findAuditEvents(db, { types: ['lock.unlock'], limit: DEBUG_VIEW_LIMIT })
      const usernames = await findUsernames(
        db,
        rows.flatMap((row) => (row.actor_id === null ? [] : [row.actor_id])),
      )
      return rows.map((row) => {
        const details = JSON.parse(row.details) as { method?: unknown }
        return {
          id: row.id,
          username: row.actor_id === null ? null : (usernames.get(row.actor_id) ?? null),
          unlocking_method: typeof details.method === 'string' ? details.method : '',
          date_time: new Date(row.occurred_at).toUTCString(),
        }
      })
    },

    async userDirectory(viewer: Principal, context: RequestContext): Promise<UserRecord[]> {
      await requireAdmin(viewer, 'lock-users', context)
      const rows = await listUsers(db, DEBUG_VIEW_LIMIT)
      return rows.map((row) => ({
        id: row.id,
        public_id: publicId(row.id),
        username: row.username,
        phone: openText(row.phone_sealed, `user-phone:${row.id}`),
        address: openText(row.address_sealed, `user-address:${row.id}`),
      }))
    },
  }
}
