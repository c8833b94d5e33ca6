import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import type pg from 'pg'

import type { DatabaseConfig } from '../config.js'
import type { Database } from './schema.js'
import { withStatementCache } from './statement-cache.js'

export type Dialect = 'sqlite' | 'postgres'

/** An open store: the query builder, which SQL it speaks, and how to close it. */
export interface Store {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  close(): Promise<void>
}

/**
 * Opens the store named by the configuration. SQLite runs in WAL mode with `synchronous=FULL`,
 * so an acknowledged write survives power loss, not just a process crash; its files are created
 * readable by the owner only.
 */
export function openStore(config: DatabaseConfig): Store {
  return config.kind === 'postgres' ? openPostgres(config.url) : openSqlite(config.file)
}

function openSqlite(file: string): Store {
  if (file !== ':memory:') {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    if (!existsSync(file)) {
      // Create the file with owner-only permissions; SQLite gives -wal/-shm the same mode.
      new SqliteDatabase(file).close()
      chmodSync(file, 0o600)
    }
  }
  const sqlite = new SqliteDatabase(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  // Deleted rows (a burnt one-time secret's ciphertext) are overwritten, not left in free pages.
  sqlite.pragma('secure_delete = ON')

  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  })
  return { db, dialect: 'sqlite', close: () => db.destroy() }
}

// `pg` is loaded only when PostgreSQL is configured: the embedded store never pays its ~13 MB.
const loadPg = (): typeof pg => createRequire(import.meta.url)('pg') as typeof pg

// BIGINT (count(*), sums) arrives as a string by default; every value we count fits a double.
// A per-pool parser, so nothing global in `pg` is changed for other users of the module.
const INT8_OID = 20
type TypeParser = (value: string) => unknown
const pgTypes = (driver: typeof pg): pg.CustomTypesConfig => ({
  getTypeParser: ((oid, format) =>
    (oid as number) === INT8_OID && format !== 'binary'
      ? (value: string): number => Number(value)
      : (driver.types.getTypeParser(
          oid,
          format,
        ) as TypeParser)) as pg.CustomTypesConfig['getTypeParser'],
})

function openPostgres(url: string): Store {
  const driver = loadPg()
  const pool = new driver.Pool({ connectionString: url, max: 10, types: pgTypes(driver) })
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined)
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return { db, dialect: 'postgres', close: () => db.destroy() }
}
