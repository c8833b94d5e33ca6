import type { AccountTables } from './tables/accounts.js'
import type { AuditTables } from './tables/audit.js'
import type { IdentifierClaimTables } from './tables/identifier-claims.js'
import type { KeyringTables } from './tables/keyring.js'
import type { OneTimeTables } from './tables/one-time.js'
import type { VaultTables } from './tables/vault.js'

/** Every table Strongroom owns, one interface per domain (see `tables/`). */
export interface Database
  extends
    AccountTables,
    IdentifierClaimTables,
    VaultTables,
    AuditTables,
    OneTimeTables,
    KeyringTables {}

export type { Role, UsersTable } from './tables/accounts.js'
