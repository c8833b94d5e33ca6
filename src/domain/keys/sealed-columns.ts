import { sql } from 'kysely'
import type { Kysely } from 'kysely'

import type { Dialect } from '../../db/connect.js'
import type { Database } from '../../db/schema.js'
import { aadFor as personalSecretAad } from '../vault/personal-secret-service.js'
import { secretAad } from '../vault/secret-sealing.js'
import { versionAad } from '../vault/secret-versions.js'

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
  /** The integer columns that name a row (one, or several for a composite key), in order. */
  key: readonly string[]
  column: string
  /** The AAD the value was sealed under, from the row's key values in `key`'s order. */
  aad: (key: readonly number[]) => string
}

const one = (key: readonly number[]): number => key[0] ?? 0

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    table: 'personal_secrets',
    key: ['user_id'],
    column: 'sealed',
    aad: (k) => personalSecretAad(one(k)),
  },
  ...(['name', 'data', 'iv'] as const).flatMap((field): SealedColumn[] => [
    {
      table: 'vault_secrets',
      key: ['id'],
      column: `${field}_sealed`,
      aad: (k) => secretAad(one(k), field),
    },
    // Kept versions, sealed under their version's AAD (src/domain/vault/secret-versions.ts).
    {
      table: 'vault_secret_versions',
      key: ['secret_id', 'version'],
      column: `${field}_sealed`,
      aad: ([id = 0, version = 0]) => versionAad(id, version, field),
    },
  ]),
  // As src/domain/accounts/account-service.ts seals them.
  { table: 'users', key: ['id'], column: 'phone_sealed', aad: (k) => `user-phone:${one(k)}` },
  { table: 'users', key: ['id'], column: 'address_sealed', aad: (k) => `user-address:${one(k)}` },
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
  key: number[]
  sealed: Buffer
}

/**
 * The next `limit` non-null ciphertexts of a column after row key `after` (none: from the
 * start), in key order. A composite key compares as a row value, `(a, b) > (x, y)`, which both
 * stores evaluate lexicographically.
 */
export async function readBatch(
  db: Kysely<Database>,
  column: SealedColumn,
  after: readonly number[] | undefined,
  limit: number,
): Promise<SealedValue[]> {
  const keys = column.key.map((name) => sql.ref(name))
  const keyList = sql.join(keys)
  const value = sql.ref(column.column)
  const from =
    after === undefined ? sql`true` : sql`(${keyList}) > (${sql.join(after.map((v) => sql`${v}`))})`
  const selected = sql.join(
    column.key.map((name, i) => sql`${sql.ref(name)} as ${sql.ref(`k${i}`)}`),
  )
  const { rows } = await sql<Record<string, number | string | Buffer>>`
    select ${selected}, ${value} as sealed from ${sql.table(column.table)}
    where ${from} and ${value} is not null order by ${keyList} limit ${limit}`.execute(db)
  return rows.map((row) => ({
    key: column.key.map((_name, i) => Number(row[`k${i}`])),
    sealed: row.sealed as Buffer,
  }))
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
  const sameRow = sql.join(
    column.key.map((name, i) => sql`${sql.ref(name)} = ${row.key[i] ?? 0}`),
    sql` and `,
  )
  const result = await sql`
    update ${sql.table(column.table)} set ${sql.ref(column.column)} = ${sealed}
    where ${sameRow} and ${sql.ref(column.column)} = ${row.sealed}`.execute(db)
  return (result.numAffectedRows ?? 0n) > 0n
}

/** Any one ciphertext the store holds, to tell which root a keyring-less store was sealed under. */
export async function anySealedValue(db: Kysely<Database>): Promise<Buffer | undefined> {
  for (const column of SEALED_COLUMNS) {
    const [row] = await readBatch(db, column, undefined, 1)
    if (row !== undefined) return row.sealed
  }
  return undefined
}
