import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import { countEvents, findEventPage } from '../audit/event-page-repo.js'
import type { AuditType } from '../audit/types.js'

export interface EventPageQuery {
  /** 1-based. */
  page: number
  pageSize: number
}

/** One event as surface 4 lists it (docs/surfaces/4-one-time.md). */
export interface OneTimeEventView {
  id: string
  client_ip: string
  client_user_agent: string
  type: 'CREATE' | 'READ' | 'DELETE'
  created_at: string
  /** The secret's internal id, never its key: an event reader cannot open unread secrets. */
  secret_id: number
}

export interface EventPage {
  total: number
  size: number
  events: OneTimeEventView[]
}

const TYPES = {
  'one-time.create': 'CREATE',
  'one-time.read': 'READ',
  'one-time.delete': 'DELETE',
} as const satisfies Partial<Record<AuditType, OneTimeEventView['type']>>
type Listed = keyof typeof TYPES
const LISTED = Object.keys(TYPES) as Listed[]

/** Successful create, read and delete events about one kind of one-time secret, oldest first. */
export async function listOneTimeEvents(
  db: Kysely<Database>,
  targetType: string,
  query: EventPageQuery,
): Promise<EventPage> {
  const filter = { types: LISTED, targetType, outcome: 'success' as const }
  const total = await countEvents(db, filter)
  const rows = await findEventPage(db, filter, {
    offset: (query.page - 1) * query.pageSize,
    limit: query.pageSize,
  })
  return {
    total,
    size: query.pageSize,
    events: rows.map((row) => ({
      id: row.event_id,
      client_ip: row.client_ip,
      client_user_agent: row.user_agent,
      // The filter admits only the listed types.
      type: TYPES[row.type as Listed],
      created_at: row.occurred_at,
      secret_id: Number(row.target_id),
    })),
  }
}
