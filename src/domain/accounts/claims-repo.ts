import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'

/** Claims the keys for a user; throws a unique violation when another account holds one. */
export async function insertClaims(
  db: Kysely<Database>,
  userId: number,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0) return
  await db
    .insertInto('identifier_claims')
    .values(keys.map((key) => ({ key, user_id: userId })))
    .execute()
}

/** Which of the keys some account already holds. */
export async function findClaimedKeys(
  db: Kysely<Database>,
  keys: readonly string[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set()
  const rows = await db
    .selectFrom('identifier_claims')
    .select('key')
    .where('key', 'in', [...keys])
    .execute()
  return new Set(rows.map((row) => row.key))
}
