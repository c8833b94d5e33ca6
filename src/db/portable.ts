import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely'

import type { Dialect } from './connect.js'

/**
 * The few DDL differences between SQLite and PostgreSQL, for migrations only. Queries are written
 * once in portable SQL; only table definitions branch here.
 */

/** `binary` column type: BLOB in SQLite, BYTEA in PostgreSQL (both come back as Buffer). */
export const binaryType = (dialect: Dialect): 'blob' | 'bytea' =>
  dialect === 'postgres' ? 'bytea' : 'blob'

/** Adds an auto-assigned integer primary key `id`. */
export function withIntegerId<T extends string>(
  table: CreateTableBuilder<T>,
  dialect: Dialect,
): CreateTableBuilder<T, 'id'> {
  return table.addColumn('id', 'integer', (column: ColumnDefinitionBuilder) =>
    dialect === 'postgres'
      ? column.primaryKey().generatedByDefaultAsIdentity()
      : column.primaryKey().autoIncrement(),
  )
}

/** A migration frozen in time: it receives `Kysely<any>` and never imports application code. */
export interface PortableMigration {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's rule for migrations
  up(db: Kysely<any>, dialect: Dialect): Promise<void>
}
