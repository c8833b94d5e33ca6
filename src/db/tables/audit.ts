/**
 * The append-only audit chain. `seq` is dense (1, 2, 3 …) and each `hash` is an HMAC over the
 * event and the previous hash, so an edited, deleted, inserted or reordered row breaks the chain
 * at that row. No column ever holds a secret value, password, passphrase or token.
 */
export interface AuditEventsTable {
  seq: number
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
  prev_hash: string
  hash: string
}

/** One row (id = 1): the chain's tip. Appenders lock it, which serialises appends across nodes. */
export interface AuditChainHeadTable {
  id: number
  seq: number
  hash: string
}

export interface AuditTables {
  audit_events: AuditEventsTable
  audit_chain_head: AuditChainHeadTable
}
