import type { AliasedSelectQueryBuilder, ExpressionBuilder, Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { GrantPermission } from '../../db/tables/vault.js'

/** Who a grant is made to: one user, or every member of one group. */
export type Grantee = { kind: 'user'; id: number } | { kind: 'group'; id: number }

/** Where the grants of a grantee's kind live, and the column that names the grantee. */
const grantsOf = (grantee: Grantee) =>
  grantee.kind === 'user'
    ? ({ table: 'vault_user_grants', column: 'user_id' } as const)
    : ({ table: 'vault_group_grants', column: 'group_id' } as const)

/** The one grant of `secretId` to `grantee` (at most one row: the pair is the table's key). */
const theGrant =
  (secretId: number, grantee: Grantee) =>
  (eb: ExpressionBuilder<Database, ReturnType<typeof grantsOf>['table']>) =>
    eb.and([eb('secret_id', '=', secretId), eb(grantsOf(grantee).column, '=', grantee.id)])

export async function findGrant(
  db: Kysely<Database>,
  secretId: number,
  grantee: Grantee,
): Promise<GrantPermission | undefined> {
  const row = await db
    .selectFrom(grantsOf(grantee).table)
    .select('permission')
    .where(theGrant(secretId, grantee))
    .executeTakeFirst()
  return row?.permission
}

export async function insertGrant(
  db: Kysely<Database>,
  secretId: number,
  grantee: Grantee,
  permission: GrantPermission,
  now: string,
): Promise<void> {
  const common = { secret_id: secretId, permission, created_at: now, updated_at: now }
  // Two inserts, not one over `grantsOf`: each names its own column, so the compiler checks the row.
  if (grantee.kind === 'user') {
    await db
      .insertInto('vault_user_grants')
      .values({ ...common, user_id: grantee.id })
      .execute()
  } else {
    await db
      .insertInto('vault_group_grants')
      .values({ ...common, group_id: grantee.id })
      .execute()
  }
}

export async function updateGrant(
  db: Kysely<Database>,
  secretId: number,
  grantee: Grantee,
  permission: GrantPermission,
  now: string,
): Promise<void> {
  await db
    .updateTable(grantsOf(grantee).table)
    .set({ permission, updated_at: now })
    .where(theGrant(secretId, grantee))
    .execute()
}

export async function deleteGrant(
  db: Kysely<Database>,
  secretId: number,
  grantee: Grantee,
): Promise<void> {
  await db.deleteFrom(grantsOf(grantee).table).where(theGrant(secretId, grantee)).execute()
}

/** The grants `userId` holds on the secret through the groups they are a member of. */
export async function findGroupPermissions(
  db: Kysely<Database>,
  secretId: number,
  userId: number,
): Promise<GrantPermission[]> {
  const rows = await db
    .selectFrom('vault_group_grants as g')
    .innerJoin('vault_group_members as m', 'm.group_id', 'g.group_id')
    .select('g.permission')
    .where('g.secret_id', '=', secretId)
    .where('m.user_id', '=', userId)
    .execute()
  return rows.map((row) => row.permission)
}

/** The grants of one path by which secrets reach a user, whether made to them or to a group. */
interface GrantPath {
  secret_id: number
  permission: GrantPermission
  created_at: string
}

/** One path by which a secret reaches a user who does not own it. */
export interface SharedRow {
  id: number
  owner_id: number
  name_sealed: Buffer
  permission: GrantPermission
  granted_at: string
}

/**
 * Every secret shared with `userId`, directly or through a group, one row per path (a secret
 * reached two ways appears twice; the service keeps the stronger). Newest grants first, at most
 * `limit` rows per path.
 */
export async function listSharedWith(
  db: Kysely<Database>,
  userId: number,
  limit: number,
): Promise<SharedRow[]> {
  // One path is a set of grants reaching the user; each is listed by the same rule below.
  const sharedThrough = (grants: AliasedSelectQueryBuilder<GrantPath, 'g'>) =>
    db
      .selectFrom(grants)
      .innerJoin('vault_secrets as s', 's.id', 'g.secret_id')
      .select(['s.id', 's.owner_id', 's.name_sealed', 'g.permission', 'g.created_at as granted_at'])
      .where('s.owner_id', '!=', userId)
      .orderBy('g.created_at', 'desc')
      .orderBy('s.id', 'desc')
      .limit(limit)
      .execute()
  const direct = await sharedThrough(
    db
      .selectFrom('vault_user_grants')
      .select(['secret_id', 'permission', 'created_at'])
      .where('user_id', '=', userId)
      .as('g'),
  )
  const viaGroups = await sharedThrough(
    db
      .selectFrom('vault_group_grants as gg')
      .innerJoin('vault_group_members as m', 'm.group_id', 'gg.group_id')
      .select(['gg.secret_id', 'gg.permission', 'gg.created_at'])
      .where('m.user_id', '=', userId)
      .as('g'),
  )
  return [...direct, ...viaGroups]
}

/** Whether a user with this id exists (grants and memberships may only name real users). */
export async function userExists(db: Kysely<Database>, userId: number): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()
  return row !== undefined
}

/** One current grant of a secret, with whom it names as people and the UI call them. */
export interface GrantRow {
  kind: 'user' | 'group'
  id: number
  /** A user's e-mail (else username); a group's name. */
  label: string | null
  permission: GrantPermission
  updated_at: string
}

/** A secret's grants, people first, each kind oldest first; at most `limit` of each. */
export async function listGrants(
  db: Kysely<Database>,
  secretId: number,
  limit: number,
): Promise<GrantRow[]> {
  const users = await db
    .selectFrom('vault_user_grants as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .select(['g.user_id as id', 'u.email', 'u.username', 'g.permission', 'g.updated_at'])
    .where('g.secret_id', '=', secretId)
    .orderBy('g.created_at')
    .orderBy('g.user_id')
    .limit(limit)
    .execute()
  const groups = await db
    .selectFrom('vault_group_grants as g')
    .innerJoin('vault_groups as v', 'v.id', 'g.group_id')
    .select(['g.group_id as id', 'v.name', 'g.permission', 'g.updated_at'])
    .where('g.secret_id', '=', secretId)
    .orderBy('g.created_at')
    .orderBy('g.group_id')
    .limit(limit)
    .execute()
  return [
    ...users.map((row) => ({
      kind: 'user' as const,
      id: row.id,
      label: row.email ?? row.username,
      permission: row.permission,
      updated_at: row.updated_at,
    })),
    ...groups.map((row) => ({
      kind: 'group' as const,
      id: row.id,
      label: row.name,
      permission: row.permission,
      updated_at: row.updated_at,
    })),
  ]
}
