import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect } from 'kysely'
import type pg from 'pg'

import type { DatabaseConfig } from '../config.js'
import { DurableSqliteDialect } from './durable-sqlite-dialect.js'
import { preparingClient } from './preparing-pg-client.js'
import type { Database } from './schema.js'
import { withStatementCache } from './statement-cache.js'
import { startWalCheckpointer, WRITER_AUTOCHECKPOINT_PAGES } from './wal-checkpointer.js'
import type { WalCheckpointer } from './wal-checkpointer.js'
import { createWalSync } from './wal-sync.js'
import type { WalSync } from './wal-sync.js'

export type Dialect = 'sqlite' | 'postgres'

/** An open store: the query builder, which SQL it speaks, and how to close it. */
export interface Store {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  /** SQLite only: the connection itself and its WAL flusher, for the group-commit transactor. */
  readonly sqlite?: { readonly connection: SqliteDatabase.Database; readonly walSync: WalSync }
  /**
   * A serving node's background upkeep of the store: on SQLite, checkpoints on a worker thread
   * (wal-checkpointer.ts). Stopped by `close`.
   */
  startUpkeep(): void
  close(): Promise<void>
}

/**
 * Opens the store named by the configuration. SQLite runs in WAL mode and an acknowledged write
 * survives power loss, not just a process crash: every commit is flushed to disk before its
 * writer hears back, off the main thread (wal-sync.ts). Its files are created readable by the
 * owner only.
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
  // Commits write the WAL without waiting for the disk; wal-sync.ts flushes it off the main
  // thread before any writer is answered, and checkpoints keep their own syncs.
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('busy_timeout = 5000')
  // Checkpoints belong to the worker thread of a serving node (wal-checkpointer.ts); the writer
  // checkpoints by itself only past this much larger WAL.
  sqlite.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`)
  sqlite.pragma('foreign_keys = ON')
  // Deleted rows (a burnt one-time secret's ciphertext) are overwritten, not left in free pages.
  sqlite.pragma('secure_delete = ON')

  // An in-memory store has no file to flush.
  const walSync = createWalSync(file === ':memory:' ? undefined : `${file}-wal`)
  const db = new Kysely<Database>({
    dialect: new DurableSqliteDialect({ database: withStatementCache(sqlite), walSync }),
  })
  let checkpointer: WalCheckpointer | undefined
  return {
    db,
    dialect: 'sqlite',
    sqlite: { connection: sqlite, walSync },
    startUpkeep() {
      if (file !== ':memory:') checkpointer ??= startWalCheckpointer(file)
    },
    close: async () => {
      await checkpointer?.stop()
      await walSync.close()
      await db.destroy()
    },
  }
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
  const pool = new driver.Pool({
    connectionString: url,
    max: 10,
    types: pgTypes(driver),
    Client: preparingClient(driver),
  })
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined)
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  // PostgreSQL checkpoints by itself.
  return { db, dialect: 'postgres', startUpkeep: () => undefined, close: () => db.destroy() }
}
