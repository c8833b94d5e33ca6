import type { Insertable, Kysely, Selectable } from 'kysely'

import { prepared } from '../../db/prepared.js'
import type { Database } from '../../db/schema.js'
import type { AuditEventsTable } from '../../db/tables/audit.js'

/** The largest position a 32-bit integer column holds (both stores). */
export const MAX_SEQ = 2 ** 31 - 1

export type AuditEventRow = Selectable<AuditEventsTable>

/** An event as a request writes it: no position, no hash, no lock shared with other requests. */
export type NewAuditEventRow = Omit<
  Insertable<AuditEventsTable>,
  'id' | 'seq' | 'leaf_hash' | 'sealed_at'
>

/** Every audited request inserts one event: prepared (db/prepared.ts). */
const eventInsert = prepared((db, p: NewAuditEventRow) =>
  db.insertInto('audit_events').values({
    event_id: p.event_id,
    occurred_at: p.occurred_at,
    type: p.type,
    actor_id: p.actor_id,
    target_type: p.target_type,
    target_id: p.target_id,
    outcome: p.outcome,
    client_ip: p.client_ip,
    user_agent: p.user_agent,
    details: p.details,
  }),
)

export async function insertAuditEvent(db: Kysely<Database>, row: NewAuditEventRow): Promise<void> {
  await eventInsert.execute(db, row)
}

/** Sealed events in `seq` order, a page at a time, so verifying a long log needs little memory. */
export async function* streamSealedEvents(
  db: Kysely<Database>,
  upToSeq = MAX_SEQ,
  pageSize = 1000,
): AsyncGenerator<AuditEventRow & { seq: number; leaf_hash: string }> {
  let after = 0
  for (;;) {
    const page = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>', after)
      .where('seq', '<=', upToSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute()
    for (const row of page) {
      if (row.seq !== null) yield { ...row, seq: row.seq, leaf_hash: row.leaf_hash ?? '' }
    }
    const last = page.at(-1)
    if (last?.seq == null || page.length < pageSize) return
    after = last.seq
  }
}

export async function countUnsealed(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('seq', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Whether any committed event waits to be sealed (one probe of the unsealed index). */
export async function hasUnsealed(db: Kysely<Database>): Promise<boolean> {
  const row = await db
    .selectFrom('audit_events')
    .select('id')
    .where('seq', 'is', null)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/** The highest position any stored event claims, or 0. */
export async function findHighestSeq(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max<number | string | null>('seq').as('seq'))
    .executeTakeFirst()
  return Number(row?.seq ?? 0)
}

export function findSealedEvent(
  db: Kysely<Database>,
  eventId: string,
): Promise<AuditEventRow | undefined> {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('event_id', '=', eventId)
    .executeTakeFirst()
}
