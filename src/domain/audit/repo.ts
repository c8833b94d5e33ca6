import type { Kysely, Selectable } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { AuditEventsTable } from '../../db/tables/audit.js'

export type AuditEventRow = Selectable<AuditEventsTable>

/**
 * Advances the chain head by one and returns the new sequence number with the previous hash.
 * The UPDATE takes the head row's lock until commit, so appends from any number of connections
 * or nodes are serialised by the database, never by process memory.
 */
export async function advanceHead(db: Kysely<Database>): Promise<{ seq: number; hash: string }> {
  return db
    .updateTable('audit_chain_head')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow()
}

export async function setHeadHash(db: Kysely<Database>, hash: string): Promise<void> {
  await db.updateTable('audit_chain_head').set({ hash }).where('id', '=', 1).execute()
}

export async function insertAuditEvent(db: Kysely<Database>, row: AuditEventRow): Promise<void> {
  await db.insertInto('audit_events').values(row).execute()
}

export async function findHead(
  db: Kysely<Database>,
): Promise<{ seq: number; hash: string } | undefined> {
  return db
    .selectFrom('audit_chain_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst()
}

/** Events in `seq` order, a page at a time, so verifying a long log needs little memory. */
export async function* streamAuditEvents(
  db: Kysely<Database>,
  pageSize = 1000,
): AsyncGenerator<AuditEventRow> {
  let after = 0
  for (;;) {
    const page = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(pageSize)
      .execute()
    yield* page
    const last = page.at(-1)
    if (last === undefined || page.length < pageSize) return
    after = last.seq
  }
}
