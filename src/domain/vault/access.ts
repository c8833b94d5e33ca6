import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import { findGrant, findGroupPermissions } from './grants-repo.js'
import { accessOf } from './permission.js'
import type { Access } from './permission.js'
import type { SecretRow } from './secrets-repo.js'

/** The caller's access to one secret, from the grants in the store, decided by `accessOf`. */
export async function accessTo(
  db: Kysely<Database>,
  secret: Pick<SecretRow, 'id' | 'owner_id'>,
  userId: number,
): Promise<Access> {
  const isOwner = secret.owner_id === userId
  // An owner's grants (say, through a group they shared with) cannot change the answer.
  const direct = isOwner ? undefined : await findGrant(db, secret.id, { kind: 'user', id: userId })
  const viaGroups = isOwner ? [] : await findGroupPermissions(db, secret.id, userId)
  return accessOf({ isOwner, direct, viaGroups })
}
