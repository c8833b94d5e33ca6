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
  const rows = await checkpoints(db).orderBy('tree_size').execute()
  return rows.map(toCheckpoint)
}

type CheckpointQuery = ReturnType<typeof checkpoints>
const checkpoints = (db: Kysely<Database>) => db.selectFrom('audit_checkpoints').selectAll()

async function first(query: CheckpointQuery): Promise<Checkpoint | undefined> {
  const row = await query.limit(1).executeTakeFirst()
  return row === undefined ? undefined : toCheckpoint(row)
}

export const findLatestCheckpoint = (db: Kysely<Database>): Promise<Checkpoint | undefined> =>
  first(checkpoints(db).orderBy('tree_size', 'desc'))

/** The smallest checkpoint that covers `treeSize` events (for proofs about an event). */
export const findCheckpointCovering = (
  db: Kysely<Database>,
  treeSize: number,
): Promise<Checkpoint | undefined> =>
  first(checkpoints(db).where('tree_size', '>=', treeSize).orderBy('tree_size'))

export const findCheckpoint = (
  db: Kysely<Database>,
  treeSize: number,
): Promise<Checkpoint | undefined> => first(checkpoints(db).where('tree_size', '=', treeSize))
