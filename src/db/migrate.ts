import { Migrator, sql } from 'kysely'
import type { Migration, MigrationProvider } from 'kysely'

import type { Store } from './connect.js'
import { MIGRATIONS } from './migrations/index.js'

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MigrationError'
  }
}

/**
 * On PostgreSQL the bookkeeping tables live in the session's current schema, named explicitly:
 * Kysely otherwise looks for them in every schema and, when another schema of the same database
 * has them, believes they exist here too.
 */
async function migratorFor(store: Store): Promise<Migrator> {
  const schema =
    store.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]
          ?.schema
      : undefined
  const provider: MigrationProvider = {
    getMigrations: () =>
      Promise.resolve(
        Object.fromEntries(
          MIGRATIONS.map(([name, migration]): [string, Migration] => [
            name,
            { up: (db) => migration.up(db, store.dialect) },
          ]),
        ),
      ),
  }
  return new Migrator({
    db: store.db,
    provider,
    migrationTableName: 'strongroom_migrations',
    migrationLockTableName: 'strongroom_migration_lock',
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  })
}

/**
 * Applies every pending migration, each in its own transaction. Kysely's migrator takes a lock,
 * so two nodes running this at once apply each migration exactly once.
 * @returns the names applied by this call (empty when already current).
 */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const { error, results = [] } = await (await migratorFor(store)).migrateToLatest()
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')
    throw new MigrationError(
      `migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : 'unknown error'}`,
      { cause: error },
    )
  }
  return results
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName)
}

/** Names of migrations this code knows that the store has not applied yet. */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const migrations = await (await migratorFor(store)).getMigrations()
  return migrations.filter((migration) => migration.executedAt === undefined).map((m) => m.name)
}
