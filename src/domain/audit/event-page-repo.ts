import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { AuditOutcome, AuditType } from './types.js'

/** Which events a page lists: some types, about one kind of target, with one outcome. */
export interface EventFilter {
  types: readonly AuditType[]
  targetType: string
  outcome: AuditOutcome
}

export interface EventPageRow {
  event_id: string
  occurred_at: string
  type: string
  target_id: string | null
  client_ip: string
  user_agent: string
}

const filtered = (db: Kysely<Database>, filter: EventFilter) =>
  db
    .selectFrom('audit_events')
    .where('type', 'in', [...filter.types])
    .where('target_type', '=', filter.targetType)
    .where('outcome', '=', filter.outcome)

export async function countEvents(db: Kysely<Database>, filter: EventFilter): Promise<number> {
  const row = await filtered(db, filter)
    .select((eb) => eb.fn.countAll<number | string>().as('total'))
    .executeTakeFirstOrThrow()
  return Number(row.total)
}

/** One page of matching events, oldest first (insertion order). */
export async function findEventPage(
  db: Kysely<Database>,
  filter: EventFilter,
  page: { offset: number; limit: number },
): Promise<EventPageRow[]> {
  return filtered(db, filter)
    .select(['event_id', 'occurred_at', 'type', 'target_id', 'client_ip', 'user_agent'])
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
}
