import { sql } from 'kysely'
import type { Kysely } from 'kysely'

import type { Store } from './connect.js'
import { MIGRATIONS } from './migrations/index.js'
import type { Database } from './schema.js'

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MigrationError'
  }
}

/** Which migrations a store has applied: one row per name, in the store's own schema. */
const TABLE = 'strongroom_migrations'

// Any constant works; it only has to be the same on every node (pg_advisory_xact_lock's key).
const ADVISORY_LOCK_KEY = 0x5354524f

/**
 * Applies every pending migration, all in ONE transaction: a failure leaves the schema exactly
 * as it was. The transaction first takes the store's write lock (an advisory lock on PostgreSQL,
 * BEGIN IMMEDIATE on SQLite), so nodes migrating at once apply each migration exactly once.
 *
 * Unqualified names resolve in the connection's schema (PostgreSQL's search_path), and nothing
 * here introspects the catalog: a generic migrator that scans every schema of the database
 * races with other schemas being dropped, and can mistake another schema's tables for ours.
 * @param migrations a prefix of the full list, to stop at an older schema (upgrade tests).
 * @returns the names applied by this call (empty when already current).
 */
export async function migrateToLatest(
  store: Store,
  migrations: typeof MIGRATIONS = MIGRATIONS,
): Promise<string[]> {
  return inWriteTransaction(store, async (trx) => {
    await sql`create table if not exists ${sql.table(TABLE)} (name varchar(255) primary key, applied_at varchar(64) not null)`.execute(
      trx,
    )
    const done = await appliedNames(trx)
    const applied: string[] = []
    for (const [name, migration] of migrations) {
      if (done.has(name)) continue
      try {
        await migration.up(trx, store.dialect)
      } catch (error) {
        throw new MigrationError(
          `migration ${name} failed: ${error instanceof Error ? error.message : 'unknown error'}`,
          { cause: error },
        )
      }
      await sql`insert into ${sql.table(TABLE)} (name, applied_at) values (${name}, ${new Date().toISOString()})`.execute(
        trx,
      )
      applied.push(name)
    }
    return applied
  })
}

/** Names of migrations this code knows that the store has not applied yet. */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const done = await appliedNames(store.db).catch((error: unknown) => {
    // No bookkeeping table yet: nothing is applied.
    if (isMissingTable(error)) return new Set<string>()
    throw error
  })
  return MIGRATIONS.map(([name]) => name).filter((name) => !done.has(name))
}

async function appliedNames(db: Kysely<Database>): Promise<Set<string>> {
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(TABLE)}`.execute(db)
  return new Set(rows.map((row) => row.name))
}

const isMissingTable = (error: unknown): boolean => {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  return code === '42P01' || (typeof message === 'string' && message.includes('no such table'))
}

async function inWriteTransaction<T>(
  store: Store,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (store.dialect === 'postgres') {
    return store.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`.execute(trx)
      return work(trx)
    })
  }
  return store.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn)
    try {
      const result = await work(conn)
      await sql`commit`.execute(conn)
      return result
    } catch (error) {
      await sql`rollback`.execute(conn)
      throw error
    }
  })
}
