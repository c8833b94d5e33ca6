// Imports nothing, on purpose: the web app's bundle verifies leaves in the browser with this very
// encoding (web/src/vault/audit-proof.ts), so the two sides cannot drift apart.
// test/architecture/layering.test.ts keeps it import-free.

/**
 * What one event contributes to the Merkle tree. The leaf is a JSON array (fixed field order,
 * separators escaped, so no two events share an encoding) that starts with a version tag and the
 * event's position, so an event cannot be moved to another position without changing its leaf.
 */
export const LEAF_VERSION = 'strongroom-audit-event/v1'

/** The hashed fields of one event, `details` in its stored (canonical) form, with its position. */
export interface LeafText {
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
  details: string
}

/** The leaf's text, before UTF-8 encoding and hashing. */
export const leafText = (event: LeafText): string =>
  JSON.stringify([
    LEAF_VERSION,
    event.seq,
    event.event_id,
    event.occurred_at,
    event.type,
    event.actor_id,
    event.target_type,
    event.target_id,
    event.outcome,
    event.client_ip,
    event.user_agent,
    event.details,
  ])

/**
 * The stored form of an event's details: keys sorted, so the same facts always hash the same,
 * and an export's parsed details re-serialise to exactly what was hashed.
 */
export function canonicalDetails(
  details: Readonly<Record<string, string | number | boolean | null>> | undefined,
): string {
  if (details === undefined) return '{}'
  const sorted = Object.fromEntries(Object.entries(details).sort(([a], [b]) => (a < b ? -1 : 1)))
  return JSON.stringify(sorted)
}
