import { leafHash } from '../../crypto/merkle.js'
import type { AuditEventsTable } from '../../db/tables/audit.js'

import { leafText } from './leaf-encoding.js'

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

/** The leaf's bytes (leaf-encoding.ts says what they hold). */
export const leafBytes = (event: LeafFields): Buffer => Buffer.from(leafText(event), 'utf8')

/** The RFC 9162 leaf hash of an event, hex. */
export const eventLeafHash = (event: LeafFields): string =>
  leafHash(leafBytes(event)).toString('hex')
