import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import { countEvents, findEventPage } from './event-page-repo.js'
import type { EventFilter, EventPageRow } from './event-page-repo.js'
import { findAuditEvents } from './query-repo.js'
import type { AuditType } from './types.js'

export type { EventFilter } from './event-page-repo.js'

/** One recorded event as other domains see it: no position, no hash, details parsed. */
export interface RecordedEvent {
  /** Insertion order, stable and unique within the store. */
  id: number
  eventId: string
  occurredAt: string
  type: string
  actorId: number | null
  targetId: string | null
  clientIp: string
  userAgent: string
  details: Record<string, unknown>
}

export type AuditReader = ReturnType<typeof createAuditReader>

/**
 * Reads of the audit log for other domains (the Lock's unlock history, surface 4's event pages):
 * they ask this service, never the audit tables, so the log's storage stays the audit domain's
 * own. Unsealed events are included: a user sees an action's event at once.
 */
export function createAuditReader(deps: { db: Kysely<Database> }) {
  const { db } = deps
  return {
    /** The newest `limit` events of these exact types, newest first. */
    async latest(types: readonly AuditType[], limit: number): Promise<RecordedEvent[]> {
      const rows = await findAuditEvents(db, { types, limit })
      return rows.map((row) => ({
        id: row.id,
        eventId: row.event_id,
        occurredAt: row.occurred_at,
        type: row.type,
        actorId: row.actor_id,
        targetId: row.target_id,
        clientIp: row.client_ip,
        userAgent: row.user_agent,
        details: JSON.parse(row.details) as Record<string, unknown>,
      }))
    },
    /** One page of matching events, oldest first, and how many match in all. */
    async page(
      filter: EventFilter,
      page: { offset: number; limit: number },
    ): Promise<{ total: number; events: Omit<RecordedEvent, 'id' | 'actorId' | 'details'>[] }> {
      const total = await countEvents(db, filter)
      const rows = await findEventPage(db, filter, page)
      return { total, events: rows.map(toPaged) }
    },
  }
}

const toPaged = (row: EventPageRow): Omit<RecordedEvent, 'id' | 'actorId' | 'details'> => ({
  eventId: row.event_id,
  occurredAt: row.occurred_at,
  type: row.type,
  targetId: row.target_id,
  clientIp: row.client_ip,
  userAgent: row.user_agent,
})
