import { sql } from 'kysely'
import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { AuditEventRow } from './repo.js'

export interface AuditFilter {
  /** Exact types, or prefixes written `vault.*`. */
  types?: readonly string[]
  actorId?: number
  /** ISO-8601 bounds on `occurred_at`: since inclusive, until exclusive. */
  since?: string
  until?: string
  /** Cursor: only events inserted before this one (by insertion id). */
  beforeId?: number
  limit: number
}

/**
 * Events matching `filter`, newest first by insertion order: unsealed events are listed too, so
 * a user sees an action's event at once, before the sequencer has given it a position.
 */
export function findAuditEvents(
  db: Kysely<Database>,
  filter: AuditFilter,
): Promise<AuditEventRow[]> {
  let query = db.selectFrom('audit_events').selectAll()
  const { types } = filter
  if (types !== undefined && types.length > 0) {
    query = query.where((eb) =>
      eb.or(
        types.map((type) =>
          type.endsWith('*')
            ? // substr, not LIKE: exact, case-sensitive and free of wildcard escaping on both stores
              eb(sql`substr(type, 1, ${type.length - 1})`, '=', type.slice(0, -1))
            : eb('type', '=', type),
        ),
      ),
    )
  }
  if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId)
  if (filter.since !== undefined) query = query.where('occurred_at', '>=', filter.since)
  if (filter.until !== undefined) query = query.where('occurred_at', '<', filter.until)
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId)
  return query.orderBy('id', 'desc').limit(filter.limit).execute()
}
