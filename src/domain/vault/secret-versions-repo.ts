import type { Kysely, Selectable } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { VaultSecretVersionsTable } from '../../db/tables/vault.js'

export type VersionRow = Selectable<VaultSecretVersionsTable>

/** The current value of a secret as it stood before a bump, and the number the bump gave it. */
export interface BumpedSecret {
  name_sealed: Buffer
  data_sealed: Buffer
  iv_sealed: Buffer | null
  updated_at: string
  /** The new current version; the value above was `version - 1`. */
  version: number
}

/**
 * Takes the next version number of a secret and returns the value it replaces. The UPDATE comes
 * first so that it locks the row (PostgreSQL) before anything is read: two concurrent updates
 * get consecutive numbers, and each archives exactly the value the other left behind.
 */
export async function bumpSecretVersion(
  db: Kysely<Database>,
  id: number,
): Promise<BumpedSecret | undefined> {
  const row = await db
    .updateTable('vault_secrets')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .returning(['name_sealed', 'data_sealed', 'iv_sealed', 'updated_at', 'version'])
    .executeTakeFirst()
  return row
}

export async function insertVersion(db: Kysely<Database>, row: VersionRow): Promise<void> {
  await db.insertInto('vault_secret_versions').values(row).execute()
}

/** Drops the versions older than the newest `keep` kept ones (`keep` may be 0). */
export async function pruneVersions(
  db: Kysely<Database>,
  secretId: number,
  newestKept: number,
  keep: number,
): Promise<void> {
  await db
    .deleteFrom('vault_secret_versions')
    .where('secret_id', '=', secretId)
    .where('version', '<=', newestKept - keep)
    .execute()
}

export function findVersion(
  db: Kysely<Database>,
  secretId: number,
  version: number,
): Promise<VersionRow | undefined> {
  return db
    .selectFrom('vault_secret_versions')
    .selectAll()
    .where('secret_id', '=', secretId)
    .where('version', '=', version)
    .executeTakeFirst()
}

/** The kept versions of a secret, newest first (at most `limit`). */
export function listVersions(
  db: Kysely<Database>,
  secretId: number,
  limit: number,
): Promise<VersionRow[]> {
  return db
    .selectFrom('vault_secret_versions')
    .selectAll()
    .where('secret_id', '=', secretId)
    .orderBy('version', 'desc')
    .limit(limit)
    .execute()
}
