import type { Kysely } from 'kysely'

import { checkpointJson } from '../../crypto/checkpoint.js'
import type { CheckpointJson } from '../../crypto/checkpoint.js'
import type { Database } from '../../db/schema.js'
import { findLatestCheckpoint } from './checkpoints-repo.js'
import { countUnsealed } from './repo.js'
import { findLogState } from './sequencer-repo.js'

/** Where a store's audit log stands: what a backup manifest records and a restore compares. */
export interface AuditHead {
  /** How many events are sealed, and the Merkle root over them. */
  treeSize: number
  rootHash: string
  /** Events committed but not sealed yet. */
  unsealed: number
  /** The latest signed checkpoint, if the log has one. */
  checkpoint: CheckpointJson | null
}

/** Reads the head of the audit log in `db` (the audit domain's tables stay its own). */
export async function readAuditHead(db: Kysely<Database>): Promise<AuditHead> {
  const head = await findLogState(db)
  const checkpoint = await findLatestCheckpoint(db)
  return {
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    unsealed: await countUnsealed(db),
    checkpoint: checkpoint === undefined ? null : checkpointJson(checkpoint),
  }
}
