import { sql } from 'kysely'
import type { Kysely } from 'kysely'

import type { Dialect } from '../../db/connect.js'
import type { Database } from '../../db/schema.js'
import type { AuditEventRow } from './repo.js'

/**
 * The sequencer's SQL. A batch is written with a fixed number of statements whatever its size:
 * the rows travel as one JSON parameter, unpacked by the store (`json_each` in SQLite,
 * `jsonb_array_elements` in PostgreSQL). That keeps one statement text per query (SQLite's
 * statement cache stays warm) and one round trip per query on PostgreSQL. These two unpackings
 * are the only dialect-specific queries of the audit log.
 */

export interface LogState {
  treeSize: number
  rootHash: string
}

export async function findLogState(db: Kysely<Database>): Promise<LogState> {
  const row = await db
    .selectFrom('audit_log_state')
    .select(['tree_size', 'root_hash'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow()
  return { treeSize: row.tree_size, rootHash: row.root_hash }
}

export async function updateLogState(db: Kysely<Database>, state: LogState): Promise<void> {
  await db
    .updateTable('audit_log_state')
    .set({ tree_size: state.treeSize, root_hash: state.rootHash })
    .where('id', '=', 1)
    .execute()
}

/** The oldest committed events not yet sealed, in insertion order. */
export function findUnsealed(db: Kysely<Database>, limit: number): Promise<AuditEventRow[]> {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('seq', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute()
}

export async function findNodes(
  db: Kysely<Database>,
  keys: readonly { level: number; index: number }[],
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map()
  const rows = await db
    .selectFrom('audit_tree_nodes')
    .select(['level', 'idx', 'hash'])
    .where((eb) =>
      eb.or(keys.map((k) => eb.and([eb('level', '=', k.level), eb('idx', '=', k.index)]))),
    )
    .execute()
  return new Map(rows.map((r) => [`${r.level}:${r.idx}`, r.hash]))
}

export async function findNode(
  db: Kysely<Database>,
  level: number,
  index: number,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('audit_tree_nodes')
    .select('hash')
    .where('level', '=', level)
    .where('idx', '=', index)
    .executeTakeFirst()
  return row?.hash
}

/**
 * Gives each event its position and leaf hash: `[id, seq, leafHash]` per event. On SQLite the
 * unary `+` keeps the planner from driving the join through the (all-null) seq index, which
 * measured 2000 times slower than looking each row up by its primary key.
 */
export async function sealEvents(
  db: Kysely<Database>,
  dialect: Dialect,
  sealed: readonly (readonly [id: number, seq: number, leafHash: string])[],
  sealedAt: string,
): Promise<void> {
  const rows = JSON.stringify(sealed)
  await (
    dialect === 'postgres'
      ? sql`update audit_events as e set seq = j.seq, leaf_hash = j.leaf, sealed_at = ${sealedAt}
          from (select (v->>0)::integer as id, (v->>1)::integer as seq, v->>2 as leaf
                from jsonb_array_elements(${rows}::jsonb) as v) as j
          where e.id = j.id and e.seq is null`
      : sql`update audit_events set seq = j.seq, leaf_hash = j.leaf, sealed_at = ${sealedAt}
          from (select value->>0 as id, value->>1 as seq, value->>2 as leaf
                from json_each(${rows})) as j
          where audit_events.id = +j.id and +audit_events.seq is null`
  ).execute(db)
}

/** Stores newly completed subtrees: `[level, index, hash]` per node. */
export async function insertNodes(
  db: Kysely<Database>,
  dialect: Dialect,
  nodes: readonly (readonly [level: number, index: number, hash: string])[],
): Promise<void> {
  const rows = JSON.stringify(nodes)
  await (
    dialect === 'postgres'
      ? sql`insert into audit_tree_nodes (level, idx, hash)
          select (v->>0)::integer, (v->>1)::integer, v->>2 from jsonb_array_elements(${rows}::jsonb) as v`
      : sql`insert into audit_tree_nodes (level, idx, hash)
          select value->>0, value->>1, value->>2 from json_each(${rows})`
  ).execute(db)
}

/**
 * PostgreSQL: takes the per-schema sealing lock for this transaction, or reports that another
 * node holds it. It fences sealing, so even two nodes that both believe they lead never write
 * the same positions; the schema name keeps separate installations in one database apart.
 */
export async function tryLockSealing(db: Kysely<Database>, dialect: Dialect): Promise<boolean> {
  if (dialect !== 'postgres') return true // SQLite: BEGIN IMMEDIATE already serialises writers
  const result = await sql<{
    locked: boolean | null
  }>`select pg_try_advisory_xact_lock(hashtext('strongroom-audit-seal:' || current_schema())) as locked`.execute(
    db,
  )
  // current_schema() is null when no schema on the search path exists (it was dropped): that is
  // a broken store, not a busy one, and waiting for the lock would wait for nothing.
  const locked = result.rows[0]?.locked
  if (locked === null || locked === undefined)
    throw new Error("the store's schema is gone: no schema on the search path exists")
  return locked
}
