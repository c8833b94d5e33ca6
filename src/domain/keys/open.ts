import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { Store } from '../../db/connect.js'
import { createTransactor } from '../../db/transaction.js'
import { openKeyring } from './keyring.js'
import type { Keyring } from './keyring.js'
import { loadRoots } from './roots.js'

/** The keyring of a prepared store under the configured roots; KeyMismatchError if they do not fit. */
export function openStoreKeyring(config: Config, store: Store, clock: Clock): Promise<Keyring> {
  return openKeyring({
    db: store.db,
    transact: createTransactor(store),
    roots: loadRoots(config),
    clock,
  })
}
