import { sql } from 'kysely'
import type { Kysely } from 'kysely'

import type { Dialect } from '../../db/connect.js'
import type { Database } from '../../db/schema.js'
import { aadFor as personalSecretAad } from '../vault/personal-secret-service.js'
import { secretAad } from '../vault/secret-sealing.js'

/**
 * Every column that holds an envelope (src/crypto/envelope.ts), with the row key and the AAD it
 * was sealed for. Re-sealing and the per-version counts of `strongroom keys status` walk this
 * list, so a new sealed column must be added here or rotation would leave it behind (a test
 * compares the list with the schema's `*_sealed` columns).
 *
 * One-time secrets are not here: they are sealed under a key that needs the link, which the
 * server never holds, so no one can re-seal them; they end within ONE_TIME_MAX_TTL_SECONDS.
 */
export interface SealedColumn {
  table: keyof Database
  key: string
  column: string
  aad: (key: number) => string
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'personal_secrets', key: 'user_id', column: 'sealed', aad: personalSecretAad },
  { table: 'vault_secrets', key: 'id', column: 'name_sealed', aad: (id) => secretAad(id, 'name') },
  { table: 'vault_secrets', key: 'id', column: 'data_sealed', aad: (id) => secretAad(id, 'data') },
  // As src/domain/accounts/account-service.ts seals them.
  { table: 'users', key: 'id', column: 'phone_sealed', aad: (id) => `user-phone:${id}` },
  { table: 'users', key: 'id', column: 'address_sealed', aad: (id) => `user-address:${id}` },
]

export const describeColumn = (column: SealedColumn): string => `${column.table}.${column.column}`

/** How many ciphertexts of one column each key id seals (hex key id → count). */
export async function countByKeyId(
  db: Kysely<Database>,
  dialect: Dialect,
  column: SealedColumn,
): Promise<Map<string, number>> {
  const value = sql.ref(column.column)
  const keyId =
    dialect === 'postgres'
      ? sql<string>`encode(substring(${value} from 2 for 4), 'hex')`
      : sql<string>`lower(hex(substr(${value}, 2, 4)))`
  const { rows } = await sql<{ key_id: string; n: number | string }>`
    select ${keyId} as key_id, count(*) as n from ${sql.table(column.table)}
    where ${value} is not null group by 1`.execute(db)
  return new Map(rows.map((row) => [row.key_id, Number(row.n)]))
}

export interface SealedValue {
  key: number
  sealed: Buffer
}

/** The next `limit` non-null ciphertexts of a column after row key `after` (keys start at 1). */
export async function readBatch(
  db: Kysely<Database>,
  column: SealedColumn,
  after: number,
  limit: number,
): Promise<SealedValue[]> {
  const key = sql.ref(column.key)
  const value = sql.ref(column.column)
  const { rows } = await sql<{ key: number | string; sealed: Buffer }>`
    select ${key} as key, ${value} as sealed from ${sql.table(column.table)}
    where ${key} > ${after} and ${value} is not null order by ${key} limit ${limit}`.execute(db)
  return rows.map((row) => ({ key: Number(row.key), sealed: row.sealed }))
}

/**
 * Replaces one ciphertext only if it is still the one that was read: a request that wrote the
 * row meanwhile wins (its value is already sealed under the current version). True if replaced.
 */
export async function replaceSealed(
  db: Kysely<Database>,
  column: SealedColumn,
  row: SealedValue,
  sealed: Buffer,
): Promise<boolean> {
  const result = await sql`
    update ${sql.table(column.table)} set ${sql.ref(column.column)} = ${sealed}
    where ${sql.ref(column.key)} = ${row.key} and ${sql.ref(column.column)} = ${row.sealed}`.execute(
    db,
  )
  return (result.numAffectedRows ?? 0n) > 0n
}

/** Any one ciphertext the store holds, to tell which root a keyring-less store was sealed under. */
export async function anySealedValue(db: Kysely<Database>): Promise<Buffer | undefined> {
  for (const column of SEALED_COLUMNS) {
    const [row] = await readBatch(db, column, 0, 1)
    if (row !== undefined) return row.sealed
  }
  return undefined
}
