import type { AuditEventRow } from './repo.js'
import type { AuditEventView } from './event-view.js'

export type { AuditEventView }

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
