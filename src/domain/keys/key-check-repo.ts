import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'

/**
 * The key check value a store holds (src/crypto/key-check.ts), or undefined when no process
 * with keys has started on it yet. What a backup's manifest records.
 */
export async function readKeyCheck(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db
    .selectFrom('keyring_root')
    .select('check_value')
    .where('id', '=', 1)
    .executeTakeFirst()
  return row?.check_value
}
