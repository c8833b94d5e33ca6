import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { DataKeyState } from '../../db/tables/keyring.js'

/** SQL of the keyring (src/db/tables/keyring.ts); no rules here. */

export interface RootRow {
  check_value: string
  base_wrapped: Buffer
}

export interface DataKeyRow {
  version: number
  key_id: Buffer
  wrapped: Buffer | null
  state: DataKeyState
}

export const readRoot = (db: Kysely<Database>): Promise<RootRow | undefined> =>
  db
    .selectFrom('keyring_root')
    .select(['check_value', 'base_wrapped'])
    .where('id', '=', 1)
    .executeTakeFirst()

/** Inserts the root row unless another process did first; the caller reads back the winner. */
export async function insertRootIfAbsent(
  db: Kysely<Database>,
  row: RootRow & { updated_at: string },
): Promise<void> {
  await db
    .insertInto('keyring_root')
    .values({ id: 1, ...row })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute()
}

export async function updateRoot(
  db: Kysely<Database>,
  row: RootRow & { updated_at: string },
  expectedCheck: string,
): Promise<boolean> {
  const result = await db
    .updateTable('keyring_root')
    .set(row)
    .where('id', '=', 1)
    .where('check_value', '=', expectedCheck)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export const listDataKeys = (db: Kysely<Database>): Promise<DataKeyRow[]> =>
  db
    .selectFrom('data_keys')
    .select(['version', 'key_id', 'wrapped', 'state'])
    .orderBy('version')
    .execute()

export async function insertDataKey(
  db: Kysely<Database>,
  row: DataKeyRow & { created_at: string },
): Promise<void> {
  await db
    .insertInto('data_keys')
    .values({ ...row, retired_at: null })
    .onConflict((conflict) => conflict.column('version').doNothing())
    .execute()
}

export async function setDataKeyState(
  db: Kysely<Database>,
  version: number,
  from: DataKeyState,
  to: DataKeyState,
): Promise<boolean> {
  const result = await db
    .updateTable('data_keys')
    .set({ state: to })
    .where('version', '=', version)
    .where('state', '=', from)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Retires a version and destroys its wrapped key, so nothing can open with it again. */
export async function retireDataKey(
  db: Kysely<Database>,
  version: number,
  at: string,
): Promise<void> {
  await db
    .updateTable('data_keys')
    .set({ state: 'retired', wrapped: null, retired_at: at })
    .where('version', '=', version)
    .where('state', '=', 'active')
    .execute()
}

export async function setWrapped(
  db: Kysely<Database>,
  version: number,
  wrapped: Buffer,
): Promise<void> {
  await db.updateTable('data_keys').set({ wrapped }).where('version', '=', version).execute()
}
