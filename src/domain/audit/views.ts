import type { AuditEventRow } from './repo.js'

/** An audit event as the audit API and the export show it: every hashed field, and its leaf. */
export interface AuditEventView {
  /** Position in the log; null while the event is committed but not yet sealed. */
  seq: number | null
  id: string
  occurred_at: string
  type: string
  outcome: string
  actor_id: number | null
  target_type: string | null
  target_id: string | null
  client_ip: string
  user_agent: string
  details: Record<string, string | number | boolean | null>
  /** Hex RFC 9162 leaf hash; null until sealed. */
  leaf_hash: string | null
}

export const toAuditEventView = (row: AuditEventRow): AuditEventView => ({
  seq: row.seq,
  id: row.event_id,
  occurred_at: row.occurred_at,
  type: row.type,
  outcome: row.outcome,
  actor_id: row.actor_id,
  target_type: row.target_type,
  target_id: row.target_id,
  client_ip: row.client_ip,
  user_agent: row.user_agent,
  details: JSON.parse(row.details) as AuditEventView['details'],
  leaf_hash: row.leaf_hash,
})
