import { sql } from 'kysely'

import type { Store } from '../../db/connect.js'
import { pendingMigrations } from '../../db/migrate.js'

export type Readiness =
  { ready: true } | { ready: false; reason: 'store-unreachable' | 'migrations-pending' }

/**
 * Whether this node can serve (`GET /readyz`): its store answers and its schema is the one this
 * code expects. A load balancer takes a node that is not ready out of rotation.
 */
export function createHealthService(store: Store) {
  return {
    async readiness(): Promise<Readiness> {
      try {
        await sql`select 1`.execute(store.db)
      } catch {
        return { ready: false, reason: 'store-unreachable' }
      }
      try {
        if ((await pendingMigrations(store)).length > 0) {
          return { ready: false, reason: 'migrations-pending' }
        }
      } catch {
        return { ready: false, reason: 'store-unreachable' }
      }
      return { ready: true }
    },
  }
}
