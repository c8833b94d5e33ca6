import type { PortableMigration } from '../portable.js'
import { accounts } from './2026-11-22T0900-accounts.js'
import { audit } from './2026-11-22T0910-audit.js'
import { personalSecrets } from './2026-11-22T0920-personal-secrets.js'
import { vault } from './2026-11-23T1000-vault.js'
import { oneTime } from './2026-11-23T1100-one-time.js'
import { auditSequencer } from './2026-12-03T1000-audit-sequencer.js'
import { identifierClaimsMigration } from './2026-12-03T1100-identifier-claims.js'
import { accountTokens } from './2026-12-04T1000-account-tokens.js'
import { keyringMigration } from './2026-12-05T0900-keyring.js'
import { oneTimeQuota } from './2026-12-05T1000-one-time-quota.js'
import { oneTimeSender } from './2026-12-05T1000-one-time-sender.js'
import { secretVersions } from './2026-12-05T1200-secret-versions.js'

/**
 * Every migration, in order. Names are ISO-dated and frozen: never rename or edit one that has
 * shipped; add a new one. A static list (rather than reading the folder) works the same from
 * `src/` under tsx and from `dist/`.
 */
export const MIGRATIONS: readonly (readonly [name: string, migration: PortableMigration])[] = [
  ['2026-11-22T0900-accounts', accounts],
  ['2026-11-22T0910-audit', audit],
  ['2026-11-22T0920-personal-secrets', personalSecrets],
  ['2026-11-23T1000-vault', vault],
  ['2026-11-23T1100-one-time', oneTime],
  ['2026-12-03T1000-audit-sequencer', auditSequencer],
  ['2026-12-03T1100-identifier-claims', identifierClaimsMigration],
  ['2026-12-04T1000-account-tokens', accountTokens],
  ['2026-12-05T0900-keyring', keyringMigration],
  ['2026-12-05T1000-one-time-quota', oneTimeQuota],
  ['2026-12-05T1000-one-time-sender', oneTimeSender],
  ['2026-12-05T1200-secret-versions', secretVersions],
]
