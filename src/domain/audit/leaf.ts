import { leafHash } from '../../crypto/merkle.js'
import type { AuditEventsTable } from '../../db/tables/audit.js'

/**
 * What one event contributes to the Merkle tree. The leaf is a JSON array (fixed field order,
 * separators escaped, so no two events share an encoding) that starts with a version tag and the
 * event's position, so an event cannot be moved to another position without changing its leaf.
 */

export const LEAF_VERSION = 'strongroom-audit-event/v1'

/** The hashed fields of one event, as stored and as exported, with its position. */
export type LeafFields = Pick<
  AuditEventsTable,
  | 'event_id'
  | 'occurred_at'
  | 'type'
  | 'actor_id'
  | 'target_type'
  | 'target_id'
  | 'outcome'
  | 'client_ip'
  | 'user_agent'
  | 'details'
> & { seq: number }

export function leafBytes(event: LeafFields): Buffer {
  return Buffer.from(
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
    ]),
    'utf8',
  )
}

/** The RFC 9162 leaf hash of an event, hex. */
export const eventLeafHash = (event: LeafFields): string =>
  leafHash(leafBytes(event)).toString('hex')

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
