import type { Config } from '../config.js'
import { systemClock } from '../clock.js'
import { openStore } from '../db/connect.js'
import type { Store } from '../db/connect.js'
import { prepareStore } from '../db/prepare.js'
import { openStoreKeyring } from '../domain/keys/open.js'
import { createServices } from '../services.js'
import type { Services } from '../services.js'

/**
 * Runs a CLI command against the same store and keys a running server uses, then closes the
 * store. The CLI and the server can work at the same time: SQLite writers wait for each other
 * (busy timeout, BEGIN IMMEDIATE) and PostgreSQL is built for it.
 */
export async function withServices<T>(
  config: Config,
  work: (services: Services, store: Store) => Promise<T>,
): Promise<T> {
  const store = openStore(config.database)
  try {
    await prepareStore(store)
    const keyring = await openStoreKeyring(config, store, systemClock)
    const services = createServices(config, store, systemClock, { keyring })
    try {
      return await work(services, store)
    } finally {
      await services.close()
    }
  } finally {
    await store.close()
  }
}
