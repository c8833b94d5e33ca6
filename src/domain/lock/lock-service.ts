import type { Kysely } from 'kysely'

import type { Envelope } from '../../crypto/envelope.js'
import type { Database } from '../../db/schema.js'
import { forbidden } from '../../errors.js'
import { listUsers } from '../accounts/users-repo.js'
import type { Principal } from '../accounts/views.js'
import type { AuditLog } from '../audit/audit-log.js'
import { findAuditEvents } from '../audit/query-repo.js'
import type { RequestContext } from '../audit/types.js'

/** The debug views show at most this many rows, newest first: they are for looking, not exporting. */
export const DEBUG_VIEW_LIMIT = 1000

export interface UnlockRecord {
  id: number
  user_id: number | null
  unlocking_method: string
  client_ip: string
  created_at: string
}

export interface UserRecord {
  id: number
  username: string | null
  email: string | null
  phone: string | null
  address: string | null
  role: string
  created_at: string
}

export type LockService = ReturnType<typeof createLockService>

/**
 * The smart-lock app's domain (CONTRACTS.md §3): an unlock is an audit event, so the lock's
 * history is as tamper-evident as everything else. The debug views are administrators' only,
 * and looking at them is itself an audit event.
 */
export function createLockService(deps: {
  db: Kysely<Database>
  audit: Pick<AuditLog, 'record'>
  envelope: Pick<Envelope, 'open'>
}) {
  const { db, audit, envelope } = deps

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
      return rows.map((row) => {
        const details = JSON.parse(row.details) as { method?: unknown }
        return {
          id: row.id,
          user_id: row.actor_id,
          unlocking_method: typeof details.method === 'string' ? details.method : '',
          client_ip: row.client_ip,
          created_at: row.occurred_at,
        }
      })
    },

    async userDirectory(viewer: Principal, context: RequestContext): Promise<UserRecord[]> {
      await requireAdmin(viewer, 'lock-users', context)
      const rows = await listUsers(db, DEBUG_VIEW_LIMIT)
      return rows.map((row) => ({
        id: row.id,
        username: row.username,
        email: row.email,
        phone: openText(row.phone_sealed, `user-phone:${row.id}`),
        address: openText(row.address_sealed, `user-address:${row.id}`),
        role: row.role,
        created_at: row.created_at,
      }))
    },
  }
}
