import type { Kysely } from 'kysely'

import type { Envelope } from '../../crypto/envelope.js'
import type { Database } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import type { AuditLog } from '../audit/audit-log.js'
import { groupNameKey } from './group-service.js'
import { findGroupIdByNameKey, listSecretsOfGroup } from './group-secrets-repo.js'
import { findGroup, isMember } from './groups-repo.js'
import { VAULT_LIMITS } from './limits.js'
import { acted, createAuditedStep } from './audited-step.js'
import { deny, done, refused } from './outcome.js'
import { openCurrentValue } from './secret-sealing.js'
import type { SecretView } from './vault-service.js'
import { denied, missing } from './vault-errors.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'

export type GroupSecretsService = ReturnType<typeof createGroupSecretsService>

/**
 * What the original's later API adds around groups: finding a group by its name, and the secrets
 * shared with a group, opened, for its members (`GET /v1/secrets/group`, the `secrets` of a group
 * read by name). A member can read each of these secrets anyway; listing them is one audit event.
 */
export function createGroupSecretsService(deps: {
  db: Kysely<Database>
  transact: Transact
  envelope: Envelope
  audit: Pick<AuditLog, 'append'>
}) {
  const { db, envelope } = deps
  const step = createAuditedStep(deps)
  return {
    /** The group's id by its name (any case); undefined when no group has it. */
    idByName(name: string): Promise<number | undefined> {
      return findGroupIdByNameKey(db, groupNameKey(name))
    },

    list(principal: Principal, groupId: number, context: RequestContext): Promise<SecretView[]> {
      return step(
        {
          type: 'vault.secret.list',
          principal,
          target: { type: 'vault-group', id: groupId },
          context,
          // A refusal, too, says only that it was a group's list.
          about: { scope: 'group' },
        },
        async (trx) => {
          const group = await findGroup(trx, groupId)
          if (group === undefined) return refused(missing('group', groupId))
          if (
            group.creator_id !== principal.userId &&
            !(await isMember(trx, groupId, principal.userId))
          )
            return deny(denied('group.secrets'), {})
          return done(group)
        },
        async (trx) => {
          const rows = await listSecretsOfGroup(trx, groupId, VAULT_LIMITS.sharedListed)
          const secrets = rows.map((row) => ({
            id: row.id,
            ...openCurrentValue(envelope, row),
            ownerId: row.owner_id,
            access: row.owner_id === principal.userId ? ('owner' as const) : row.permission,
            createdAt: row.created_at,
            updatedAt: row.updated_at,
          }))
          return acted(secrets, { count: rows.length })
        },
      )
    },
  }
}
