import type { Insertable, Kysely, Selectable } from 'kysely'

import type { Database, Role } from '../../db/schema.js'
import type { UsersTable } from '../../db/tables/accounts.js'

export type UserRow = Selectable<UsersTable>

export function findUserById(db: Kysely<Database>, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findUserByEmailKey(
  db: Kysely<Database>,
  key: string,
): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email_key', '=', key).executeTakeFirst()
}

export function findUserByUsernameKey(
  db: Kysely<Database>,
  key: string,
): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username_key', '=', key).executeTakeFirst()
}

export async function insertUser(
  db: Kysely<Database>,
  values: Omit<Insertable<UsersTable>, 'id'>,
): Promise<number> {
  const { id } = await db
    .insertInto('users')
    .values(values)
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

/** Stores a user's sealed phone and address (sealed after the insert: their AAD names the id). */
export async function updateUserContact(
  db: Kysely<Database>,
  id: number,
  sealed: Pick<UsersTable, 'phone_sealed' | 'address_sealed'>,
): Promise<void> {
  await db.updateTable('users').set(sealed).where('id', '=', id).execute()
}

export async function updateUserRole(
  db: Kysely<Database>,
  id: number,
  role: Role,
  updatedAt: string,
): Promise<void> {
  await db.updateTable('users').set({ role, updated_at: updatedAt }).where('id', '=', id).execute()
}

/** Sets a new password hash and retires every token issued before (their version no longer matches). */
export async function updateUserPassword(
  db: Kysely<Database>,
  id: number,
  passwordHash: string,
  updatedAt: string,
): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({
      password_hash: passwordHash,
      token_version: eb('token_version', '+', 1),
      updated_at: updatedAt,
    }))
    .where('id', '=', id)
    .execute()
}
