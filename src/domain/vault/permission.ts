import type { GrantPermission } from '../../db/tables/vault.js'

export type { GrantPermission }

/** A user's standing on one secret: its owner, a grantee, or nobody. */
export type Access = 'owner' | GrantPermission | 'none'

/** The standing of someone who may at least read the secret. */
export type Granted = Exclude<Access, 'none'>

/** What a request wants to do with a secret. */
export type SecretAction = 'read' | 'update' | 'delete' | 'manage'

/** Everything that can give a user access to a secret, as read from the store. */
export interface AccessFacts {
  isOwner: boolean
  /** The grant made to the user by id, if any. */
  direct: GrantPermission | undefined
  /** The grants made to every group the user is a member of. */
  viaGroups: readonly GrantPermission[]
}

const RANK: Readonly<Record<Access, number>> = {
  none: 0,
  'read-only': 1,
  'read-write': 2,
  owner: 3,
}

/** The least access each action needs (docs/surfaces/2-secrets-v1.md). */
const NEEDS: Readonly<Record<SecretAction, Access>> = {
  read: 'read-only',
  update: 'read-write',
  delete: 'owner',
  manage: 'owner',
}

/**
 * THE rule of the vault, and the only place it is written: the owner is the owner; anyone else
 * has the strongest of their direct grant and the grants of their groups; everyone else has
 * nothing. A weaker grant never narrows a stronger one, whichever way it arrived.
 */
export function accessOf(facts: AccessFacts): Access {
  if (facts.isOwner) return 'owner'
  let best: Access = 'none'
  for (const permission of [facts.direct, ...facts.viaGroups]) {
    if (permission !== undefined && RANK[permission] > RANK[best]) best = permission
  }
  return best
}

/** Whether `access` is enough for `action`: read needs a grant, update read-write, the rest ownership. */
export const allows = (access: Access, action: SecretAction): boolean =>
  RANK[access] >= RANK[NEEDS[action]]
