import type { Store } from './connect.js'
import { migrateToLatest, pendingMigrations } from './migrate.js'

export class StoreNotReadyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StoreNotReadyError'
  }
}

/**
 * Makes a freshly opened store ready to serve. The embedded SQLite store migrates itself (one
 * node owns it); a PostgreSQL store shared by several nodes is migrated once, deliberately, by
 * `strongroom migrate`, and a node refuses to start on a schema it does not match.
 */
export async function prepareStore(store: Store): Promise<void> {
  if (store.dialect === 'sqlite') {
    await migrateToLatest(store)
    return
  }
  const pending = await pendingMigrations(store)
  if (pending.length > 0) {
    throw new StoreNotReadyError(
      `the PostgreSQL schema is not current (pending: ${pending.join(', ')}); run \`strongroom migrate\` first`,
    )
  }
}
