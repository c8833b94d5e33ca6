import { sql } from 'kysely'
import type { Kysely } from 'kysely'

import type { Store } from './connect.js'
import type { Database } from './schema.js'

/**
 * Runs `work` in one transaction: all of it commits or none of it does. Keep the work short and
 * local: hash passwords before calling, never await the network inside (ARCHITECTURE.md rule 7).
 */
export type Transact = <T>(work: (trx: Kysely<Database>) => Promise<T>) => Promise<T>

export function createTransactor(store: Store): Transact {
  if (store.dialect === 'postgres') {
    return (work) => store.db.transaction().execute(work)
  }
  // SQLite: BEGIN IMMEDIATE takes the write lock up front. A deferred BEGIN that reads and then
  // writes fails at once with SQLITE_BUSY when another process (the CLI) wrote in between;
  // IMMEDIATE waits for the lock under busy_timeout instead.
  return (work) =>
    store.db.connection().execute(async (conn) => {
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
