import type { Clock } from './clock.js'
import type { Config } from './config.js'
import { createEnvelope } from './crypto/envelope.js'
import { deriveKeys, loadRootKey } from './crypto/keys.js'
import type { Keys } from './crypto/keys.js'
import { createLookupHasher } from './crypto/lookup.js'
import { createPasswordHasher } from './crypto/passwords.js'
import { createTokenService } from './crypto/tokens.js'
import type { Store } from './db/connect.js'
import { createTransactor } from './db/transaction.js'
import { createAccountService } from './domain/accounts/account-service.js'
import type { CounterStore } from './domain/accounts/counter-store.js'
import { createLoginThrottle } from './domain/accounts/login-throttle.js'
import { createSqlCounterStore } from './domain/accounts/sql-counter-store.js'
import { createAuditLog } from './domain/audit/audit-log.js'
import { createPersonalSecretService } from './domain/vault/personal-secret-service.js'

export interface ServiceOverrides {
  clock?: Clock
  /** Where throttle counters live; defaults to the shared store's `throttle_counters` table. */
  counters?: CounterStore
}

/**
 * The domain, wired once (ARCHITECTURE.md rule 5): used by the HTTP app and by the CLI, so both
 * apply the same rules to the same store. Nothing here knows about HTTP.
 */
export function createServices(
  config: Config,
  store: Store,
  clock: Clock,
  overrides: ServiceOverrides = {},
) {
  const keys: Keys = deriveKeys(
    loadRootKey({ appSecret: config.appSecret, dataDir: config.dataDir }),
  )
  const { db } = store
  const transact = createTransactor(store)
  const envelope = createEnvelope([keys.data])
  const lookup = createLookupHasher(keys.lookup)
  const passwords = createPasswordHasher(keys.passwordPepper)
  const tokens = createTokenService({
    key: keys.tokenSigning,
    clock,
    ttlSeconds: config.tokenTtlSeconds,
  })
  const audit = createAuditLog({ db, transact, clock, chainKey: keys.auditChain })
  const throttle = createLoginThrottle({
    counters: overrides.counters ?? createSqlCounterStore(db),
    lookup,
    clock,
    config: config.loginThrottle,
  })

  return {
    audit,
    accounts: createAccountService({
      db,
      transact,
      clock,
      passwords,
      tokens,
      throttle,
      audit,
      envelope,
    }),
    personalSecrets: createPersonalSecretService({ transact, clock, envelope, audit }),
  }
}

export type Services = ReturnType<typeof createServices>
