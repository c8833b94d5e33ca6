import type { Kysely, Selectable } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { VaultGroupsTable } from '../../db/tables/vault.js'

export type GroupRow = Selectable<VaultGroupsTable>

export interface MemberRow {
  id: number
  email: string | null
  username: string | null
  /** When the user registered (the later API lists it). */
  createdAt: string
}

export async function insertGroup(
  db: Kysely<Database>,
  values: { name: string; nameKey: string; creatorId: number; now: string },
): Promise<number> {
  const { id } = await db
    .insertInto('vault_groups')
    .values({
      name: values.name,
      name_key: values.nameKey,
      creator_id: values.creatorId,
      created_at: values.now,
      updated_at: values.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

export function findGroup(db: Kysely<Database>, id: number): Promise<GroupRow | undefined> {
  return db.selectFrom('vault_groups').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function countGroupsCreatedBy(
  db: Kysely<Database>,
  creatorId: number,
): Promise<number> {
  const { count } = await db
    .selectFrom('vault_groups')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('creator_id', '=', creatorId)
    .executeTakeFirstOrThrow()
  return count
}

export async function renameGroup(
  db: Kysely<Database>,
  id: number,
  name: { name: string; nameKey: string },
  now: string,
): Promise<void> {
  await db
    .updateTable('vault_groups')
    .set({ name: name.name, name_key: name.nameKey, updated_at: now })
    .where('id', '=', id)
    .execute()
}

/** Deletes the group; its memberships and the grants made to it go with it (ON DELETE CASCADE). */
export async function deleteGroup(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom('vault_groups').where('id', '=', id).execute()
}

export async function isMember(
  db: Kysely<Database>,
  groupId: number,
  userId: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('vault_group_members')
    .select('user_id')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row !== undefined
}

export async function insertMember(
  db: Kysely<Database>,
  groupId: number,
  userId: number,
  now: string,
): Promise<void> {
  await db
    .insertInto('vault_group_members')
    .values({ group_id: groupId, user_id: userId, added_at: now })
    .execute()
}

export async function deleteMember(
  db: Kysely<Database>,
  groupId: number,
  userId: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('vault_group_members')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}

export async function countMembers(db: Kysely<Database>, groupId: number): Promise<number> {
  const { count } = await db
    .selectFrom('vault_group_members')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow()
  return count
}

/** Members with the contact details other members may see, in the order they joined. */
export function listMembers(
  db: Kysely<Database>,
  groupId: number,
  limit: number,
): Promise<MemberRow[]> {
  return db
    .selectFrom('vault_group_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.username', 'u.created_at as createdAt'])
    .where('m.group_id', '=', groupId)
    .orderBy('m.added_at')
    .orderBy('u.id')
    .limit(limit)
    .execute()
}

/** The groups a user belongs to (created ones included), oldest first. */
export function listGroupsOfMember(
  db: Kysely<Database>,
  userId: number,
  limit: number,
): Promise<GroupRow[]> {
  return db
    .selectFrom('vault_groups as g')
    .innerJoin('vault_group_members as m', 'm.group_id', 'g.id')
    .selectAll('g')
    .where('m.user_id', '=', userId)
    .orderBy('g.id')
    .limit(limit)
    .execute()
}

/** How many secrets are shared with the group (what deleting it ends). */
export async function countGroupGrants(db: Kysely<Database>, groupId: number): Promise<number> {
  const { count } = await db
    .selectFrom('vault_group_grants')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow()
  return count
}
