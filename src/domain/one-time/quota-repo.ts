import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'

/**
 * SQL of the live-byte counters (`one_time_usage`). Each change is one guarded statement run in
 * the transaction that inserts or removes the secret, so a count can never pass its cap and
 * always matches the rows that are there, on any number of nodes.
 */

/** Adds `bytes` to a client's count, creating it, unless that would pass `cap`. */
export async function addClientUsage(
  db: Kysely<Database>,
  scope: string,
  bytes: number,
  cap: number,
): Promise<boolean> {
  const row = await db
    .insertInto('one_time_usage')
    .values({ scope, live_bytes: bytes })
    .onConflict((oc) =>
      oc
        .column('scope')
        .doUpdateSet((eb) => ({ live_bytes: eb('one_time_usage.live_bytes', '+', bytes) }))
        .where('one_time_usage.live_bytes', '<=', cap - bytes),
    )
    .returning('scope')
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Adds `bytes` to an existing count (a share of the store-wide cap) unless that would pass
 * `cap`. A plain guarded UPDATE: on PostgreSQL a full share is skipped without being locked.
 */
export async function addShareUsage(
  db: Kysely<Database>,
  scope: string,
  bytes: number,
  cap: number,
): Promise<boolean> {
  const row = await db
    .updateTable('one_time_usage')
    .set((eb) => ({ live_bytes: eb('live_bytes', '+', bytes) }))
    .where('scope', '=', scope)
    .where('live_bytes', '<=', cap - bytes)
    .returning('scope')
    .executeTakeFirst()
  return row !== undefined
}

export async function subtractUsage(
  db: Kysely<Database>,
  scope: string,
  bytes: number,
): Promise<void> {
  await db
    .updateTable('one_time_usage')
    .set((eb) => ({ live_bytes: eb('live_bytes', '-', bytes) }))
    .where('scope', '=', scope)
    .execute()
}

/** Forgets clients that hold nothing any more, so the table does not grow with every address. */
export async function deleteIdleClients(db: Kysely<Database>): Promise<number> {
  const result = await db
    .deleteFrom('one_time_usage')
    .where('scope', 'like', 'client:%')
    .where('live_bytes', '<=', 0)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** When the first live secret (of one client, or of anyone) expires; undefined if none lives. */
export async function firstExpiry(
  db: Kysely<Database>,
  clientHash: string | undefined,
  now: string,
): Promise<string | undefined> {
  let query = db
    .selectFrom('one_time_secrets')
    .select('expires_at')
    .where('expires_at', '>', now)
    .orderBy('expires_at')
    .limit(1)
  if (clientHash !== undefined) query = query.where('client_hash', '=', clientHash)
  const row = await query.executeTakeFirst()
  return row?.expires_at
}
