import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AuditDetails, AuditType } from '../audit/types.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'

export interface VaultEvent {
  type: AuditType
  outcome: 'success' | 'denied' | 'failure'
  principal: Principal
  target: { type: 'vault-secret' | 'vault-group'; id: number }
  details?: AuditDetails | undefined
}

/**
 * Appends a vault event in the caller's transaction: the caller is the actor, a secret or a
 * group the target, and `details` holds ids and permissions only, never a name or a value.
 */
export function recordVaultEvent(
  audit: Pick<AuditLog, 'append'>,
  trx: Kysely<Database>,
  event: VaultEvent,
  context: RequestContext,
): Promise<void> {
  return audit.append(trx, {
    type: event.type,
    outcome: event.outcome,
    actorId: event.principal.userId,
    target: event.target,
    ...(event.details === undefined ? {} : { details: event.details }),
    context,
  })
}
