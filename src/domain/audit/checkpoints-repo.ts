import type { Kysely } from 'kysely'

import type { Checkpoint } from '../../crypto/checkpoint.js'
import type { Database } from '../../db/schema.js'
import type { AuditCheckpointsTable } from '../../db/tables/audit.js'

const toCheckpoint = (row: AuditCheckpointsTable): Checkpoint => ({
  treeSize: row.tree_size,
  rootHash: row.root_hash,
  issuedAt: row.issued_at,
  keyId: row.key_id,
  signature: row.signature,
})

export async function insertCheckpoint(db: Kysely<Database>, c: Checkpoint): Promise<void> {
  await db
    .insertInto('audit_checkpoints')
    .values({
      tree_size: c.treeSize,
      root_hash: c.rootHash,
      issued_at: c.issuedAt,
      key_id: c.keyId,
      signature: c.signature,
    })
    // A second sequencer racing for the same size signs the same root: keep the first.
    .onConflict((oc) => oc.column('tree_size').doNothing())
    .execute()
}

/** Every checkpoint, smallest tree first. */
export async function findCheckpoints(db: Kysely<Database>): Promise<Checkpoint[]> {
  const rows = await db.selectFrom('audit_checkpoints').selectAll().orderBy('tree_size').execute()
  return rows.map(toCheckpoint)
}

export async function findLatestCheckpoint(db: Kysely<Database>): Promise<Checkpoint | undefined> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .orderBy('tree_size', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row === undefined ? undefined : toCheckpoint(row)
}

/** The smallest checkpoint that covers `treeSize` events (for proofs about an event). */
export async function findCheckpointCovering(
  db: Kysely<Database>,
  treeSize: number,
): Promise<Checkpoint | undefined> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('tree_size', '>=', treeSize)
    .orderBy('tree_size')
    .limit(1)
    .executeTakeFirst()
  return row === undefined ? undefined : toCheckpoint(row)
}

export async function findCheckpoint(
  db: Kysely<Database>,
  treeSize: number,
): Promise<Checkpoint | undefined> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('tree_size', '=', treeSize)
    .executeTakeFirst()
  return row === undefined ? undefined : toCheckpoint(row)
}
