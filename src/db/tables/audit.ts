import type { Generated } from 'kysely'

/**
 * The audit log (docs/audit.md). A request inserts its event with `seq` null, in the same
 * transaction as the action it records; the sequencer later sets `seq` (dense: 1, 2, 3 …), the
 * RFC 9162 leaf hash over the event and its position, and when it was sealed. No column ever
 * holds a secret value, password, passphrase or token.
 */
export interface AuditEventsTable {
  /** Insertion order, assigned by the store without a lock; not a position in the log. */
  id: Generated<number>
  event_id: string
  occurred_at: string
  type: string
  actor_id: number | null
  target_type: string | null
  target_id: string | null
  outcome: string
  client_ip: string
  user_agent: string
  /** JSON object of non-secret facts (e.g. `{"permission":"read-only"}`). */
  details: string
  seq: number | null
  leaf_hash: string | null
  sealed_at: string | null
}

/** An aligned complete subtree of the Merkle tree: 2^level leaves from leaf idx·2^level. */
export interface AuditTreeNodesTable {
  level: number
  idx: number
  hash: string
}

/** A signed tree head. */
export interface AuditCheckpointsTable {
  tree_size: number
  root_hash: string
  issued_at: string
  key_id: string
  signature: string
}

/** One row (id = 1): how far the sequencer has sealed. */
export interface AuditLogStateTable {
  id: number
  tree_size: number
  root_hash: string
}

export interface AuditTables {
  audit_events: AuditEventsTable
  audit_tree_nodes: AuditTreeNodesTable
  audit_checkpoints: AuditCheckpointsTable
  audit_log_state: AuditLogStateTable
}
