import type { Store } from '../../db/connect.js'
import { pendingMigrations } from '../../db/migrate.js'
import { probeStore } from './store-probe-repo.js'

export type Readiness =
  | { ready: true }
  | { ready: false; reason: 'store-unreachable' | 'migrations-pending' | 'keys-mismatch' }

/**
 * Whether this node can serve (`GET /readyz`): its store answers, its schema is the one this
 * code expects, and its keys still open the store's keyring. A load balancer takes a node that is not ready out of rotation.
 */
export function createHealthService(
  store: Store,
  keysProblem: () => string | undefined = () => undefined,
) {
  return {
    async readiness(): Promise<Readiness> {
      try {
        await probeStore(store.db)
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
      // The keyring's last refresh found the store under a root this process does not hold
      // (another node ran `keys rewrap` to a root this one was not given).
      if (keysProblem() !== undefined) return { ready: false, reason: 'keys-mismatch' }
      return { ready: true }
    },
  }
}
