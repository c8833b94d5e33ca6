import type { SqliteDatabase, SqliteStatement } from 'kysely'

/** Distinct SQL texts kept compiled; hot paths use a few dozen, the rest is churn. */
export const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely's SQLite driver calls `prepare` for every query, and better-sqlite3 compiles the SQL
 * each time: on the hot read path that was a tenth of the CPU. This keeps compiled statements by
 * SQL text. Reusing one is safe because the driver runs one query at a time on its connection and
 * runs each to completion; SQLite recompiles a statement by itself when the schema changes.
 * Eviction is first-in, first-out: cheap, and hot statements come back at once.
 */
export function withStatementCache(
  database: SqliteDatabase & { readonly inTransaction: boolean },
  size = STATEMENT_CACHE_SIZE,
): SqliteDatabase & { readonly inTransaction: boolean } {
  const statements = new Map<string, SqliteStatement>()
  return {
    get inTransaction() {
      return database.inTransaction
    },
    close: () => {
      statements.clear()
      database.close()
    },
    prepare: (sql) => {
      let statement = statements.get(sql)
      if (statement === undefined) {
        statement = database.prepare(sql)
        if (statements.size >= size) {
          const oldest = statements.keys().next()
          if (oldest.done !== true) statements.delete(oldest.value)
        }
        statements.set(sql, statement)
      }
      return statement
    },
  }
}
