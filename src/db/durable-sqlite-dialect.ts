import { SqliteDialect } from 'kysely'
import type {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  QueryResult,
  SqliteDatabase,
  TransactionSettings,
} from 'kysely'

import type { WalSync } from './wal-sync.js'

/**
 * Kysely's SQLite dialect, with one addition: a statement that commits a write (an autocommit
 * write outside any transaction, or a `commit`) resolves only once the WAL is on disk
 * (wal-sync.ts). The store runs with `synchronous=NORMAL`, so without this such a write would be
 * acknowledged before it is durable. The group-commit transactor (transaction.ts) does not come
 * through here for its commits: it lets go of the connection first and waits for the flush
 * after, so the next group runs meanwhile.
 */
export class DurableSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase & { readonly inTransaction: boolean }
  readonly #walSync: WalSync

  constructor(config: {
    database: SqliteDatabase & { readonly inTransaction: boolean }
    walSync: WalSync
  }) {
    super({ database: config.database })
    this.#database = config.database
    this.#walSync = config.walSync
  }

  override createDriver(): Driver {
    const inner = super.createDriver()
    const database = this.#database
    const walSync = this.#walSync
    // Whether a statement can change the store: better-sqlite3 knows it from the compiled
    // statement (cached by SQL text, statement-cache.ts), so this costs a map lookup.
    const commitsWrite = (query: CompiledQuery): boolean =>
      !database.inTransaction && !database.prepare(query.sql).reader
    const durable = (connection: DatabaseConnection): DatabaseConnection => ({
      async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
        const result = await connection.executeQuery<R>(query)
        if (commitsWrite(query)) await walSync.sync()
        return result
      },
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    })
    // Kysely hands the connection it acquired back to the driver's transaction methods, so they
    // see (and commit through) the durable wrapper.
    const connections = new WeakMap<DatabaseConnection, DatabaseConnection>()
    return {
      init: () => inner.init(),
      async acquireConnection() {
        const connection = await inner.acquireConnection()
        let wrapped = connections.get(connection)
        if (wrapped === undefined) {
          wrapped = durable(connection)
          connections.set(connection, wrapped)
        }
        return wrapped
      },
      beginTransaction: (connection, settings: TransactionSettings) =>
        inner.beginTransaction(connection, settings),
      commitTransaction: (connection) => inner.commitTransaction(connection),
      rollbackTransaction: (connection) => inner.rollbackTransaction(connection),
      // SqliteDriver has all three savepoint methods; Driver declares them optional.
      savepoint: inner.savepoint?.bind(inner),
      rollbackToSavepoint: inner.rollbackToSavepoint?.bind(inner),
      releaseSavepoint: inner.releaseSavepoint?.bind(inner),
      releaseConnection: (connection) => inner.releaseConnection(connection),
      destroy: async () => {
        await inner.destroy()
      },
    }
  }
}
