import type { Kysely, Selectable } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { UsersTable } from '../../db/tables/accounts.js'

/** Usernames of the given users, for the unlock log's `Username` column (SQL only). */
export async function findUsernames(
  db: Kysely<Database>,
  ids: readonly number[],
): Promise<Map<number, string | null>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('users')
    .select(['id', 'username'])
    .where('id', 'in', [...new Set(ids)])
    .execute()
  return new Map(rows.map((row) => [row.id, row.username]))
}

/** True when a user already has this case-folded username. */
export async function isUsernameTaken(db: Kysely<Database>, key: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('username_key', '=', key)
    .executeTakeFirst()
  return row !== undefined
}

/** The newest `limit` users with the lock app's fields, still sealed (SQL only). */
export function findDirectory(
  db: Kysely<Database>,
  limit: number,
): Promise<Pick<Selectable<UsersTable>, 'id' | 'username' | 'phone_sealed' | 'address_sealed'>[]> {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'phone_sealed', 'address_sealed'])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}
