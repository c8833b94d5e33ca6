import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { GrantPermission } from '../../db/tables/vault.js'
import type { SecretRow } from './secrets-repo.js'

/** The secrets shared with one group, oldest share first, with the group's permission. */
export function listSecretsOfGroup(
  db: Kysely<Database>,
  groupId: number,
  limit: number,
): Promise<(SecretRow & { permission: GrantPermission })[]> {
  return db
    .selectFrom('vault_group_grants as g')
    .innerJoin('vault_secrets as s', 's.id', 'g.secret_id')
    .selectAll('s')
    .select('g.permission')
    .where('g.group_id', '=', groupId)
    .orderBy('s.id')
    .limit(limit)
    .execute()
}

/** The id of the group with this name key, if there is one. */
export async function findGroupIdByNameKey(
  db: Kysely<Database>,
  nameKey: string,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('vault_groups')
    .select('id')
    .where('name_key', '=', nameKey)
    .executeTakeFirst()
  return row?.id
}
