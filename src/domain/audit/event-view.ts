// Imports nothing, on purpose: the web app's bundle takes this type too (web/src/vault/audit-proof.ts),
// so the browser checks exactly the fields the server shows, and no server module comes along.
// test/architecture/layering.test.ts keeps it import-free.

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
