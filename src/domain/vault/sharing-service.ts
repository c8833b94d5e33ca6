import type { Clock } from '../../clock.js'
import type { Transact } from '../../db/transaction.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AuditType } from '../audit/types.js'
import {
  deleteGrant,
  findGrant,
  insertGrant,
  listGrants,
  updateGrant,
  userExists,
} from './grants-repo.js'
import type { Grantee, GrantRow } from './grants-repo.js'
import { findGroup, isMember } from './groups-repo.js'
import { acted, createAuditedStep } from './audited-step.js'
import { deny, refused } from './outcome.js'
import type { GrantPermission } from './permission.js'
import { onSecret } from './secret-step.js'
import type { SecretRequest } from './secret-step.js'
import { denied, invalidField, missing } from './vault-errors.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'

export type { Grantee, GrantRow }

/** Grants of each kind a listing shows; the web app lists them for one secret. */
const GRANTS_LISTED = 500

const noGrant = (grantee: Grantee) =>
  missing(grantee.kind === 'user' ? 'user-share' : 'group-share', grantee.id)

export type SharingService = ReturnType<typeof createSharingService>

type Change =
  | { kind: 'grant'; permission: GrantPermission }
  | { kind: 'change'; permission: GrantPermission }
  | { kind: 'revoke' }

const AUDIT_TYPE: Readonly<Record<Change['kind'], AuditType>> = {
  grant: 'vault.share.grant',
  change: 'vault.share.change',
  revoke: 'vault.share.revoke',
}

/**
 * Who may see a secret besides its owner (docs/surfaces/2-secrets-v1.md). Only the owner manages grants. A
 * grant names a real user (never the owner) or a group the owner belongs to, so nobody can push
 * secrets into the lists of a team they are not part of. Every grant, change and revocation, and
 * every refused attempt, is an audit event naming the secret, the grantee and the permissions.
 */
export function createSharingService(deps: {
  transact: Transact
  clock: Clock
  audit: Pick<AuditLog, 'append'>
}) {
  const { clock } = deps
  const secretStep = onSecret(createAuditedStep(deps))

  const apply = (
    principal: Principal,
    secretId: number,
    grantee: Grantee,
    change: Change,
    context: RequestContext,
  ): Promise<void> => {
    const request: SecretRequest = {
      principal,
      secretId,
      action: 'manage',
      type: AUDIT_TYPE[change.kind],
      context,
      // Every event of a share, refusals too, names whom it was for.
      about: { grantee_type: grantee.kind, grantee_id: grantee.id },
    }
    return secretStep(request, async (trx, { secret }) => {
      if (grantee.kind === 'user') {
        if (grantee.id === secret.owner_id)
          return refused(invalidField('userId', "must not be the secret's owner"))
        if (!(await userExists(trx, grantee.id))) return refused(missing('user', grantee.id))
      } else {
        if ((await findGroup(trx, grantee.id)) === undefined)
          return refused(missing('group', grantee.id))
        // Granting to a group needs a seat in it; taking a grant away never does, so an owner
        // who left a group can still withdraw what they shared with it.
        if (change.kind !== 'revoke' && !(await isMember(trx, grantee.id, principal.userId)))
          return deny(denied('group.share'), { reason: 'not-a-member' })
      }

      const previous = (await findGrant(trx, secretId, grantee)) ?? null
      const now = clock.now().toISOString()
      if (change.kind === 'revoke') {
        if (previous === null) return refused(noGrant(grantee))
        await deleteGrant(trx, secretId, grantee)
      } else if (previous === null) {
        if (change.kind === 'change') return refused(noGrant(grantee))
        await insertGrant(trx, secretId, grantee, change.permission, now)
      } else {
        await updateGrant(trx, secretId, grantee, change.permission, now)
      }
      return acted(undefined, {
        permission: change.kind === 'revoke' ? null : change.permission,
        previous,
      })
    })
  }

  return {
    /** Shares the secret with a user or group; sharing again sets the new permission. */
    share: (
      principal: Principal,
      secretId: number,
      grantee: Grantee,
      permission: GrantPermission,
      context: RequestContext,
    ): Promise<void> => apply(principal, secretId, grantee, { kind: 'grant', permission }, context),

    /** Changes the permission of an existing grant (NOT_FOUND when there is none). */
    changePermission: (
      principal: Principal,
      secretId: number,
      grantee: Grantee,
      permission: GrantPermission,
      context: RequestContext,
    ): Promise<void> =>
      apply(principal, secretId, grantee, { kind: 'change', permission }, context),

    /**
     * A secret's current grants, for whoever may manage them (its owner), so the web app can
     * show them and revoke one. Listing is an audit event like every other vault read.
     */
    listGrants: (
      principal: Principal,
      secretId: number,
      context: RequestContext,
    ): Promise<GrantRow[]> =>
      secretStep(
        { principal, secretId, action: 'manage', type: 'vault.share.list', context },
        async (trx) => {
          const grants = await listGrants(trx, secretId, GRANTS_LISTED)
          return acted(grants, { count: grants.length })
        },
      ),

    /** Ends a grant (NOT_FOUND when there is none). */
    revoke: (
      principal: Principal,
      secretId: number,
      grantee: Grantee,
      context: RequestContext,
    ): Promise<void> => apply(principal, secretId, grantee, { kind: 'revoke' }, context),
  }
}
