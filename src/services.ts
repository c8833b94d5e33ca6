import path from 'node:path'

import type { Clock } from './clock.js'
import { createCheckpointSigner, parsePublicKey } from './crypto/checkpoint.js'
import { CHECKPOINT_FILE, readCheckpointFile, writeCheckpointFile } from './db/checkpoint-file.js'
import { createLeaderLease } from './db/leader-lease.js'
import { createSequencer } from './domain/audit/sequencer.js'
import type { Config, RateLimit } from './config.js'
import { loadRootKey } from './crypto/keys.js'
import type { Keys } from './crypto/keys.js'
import { staticKeyring } from './domain/keys/keyring.js'
import type { Keyring } from './domain/keys/keyring.js'
import { createLookupHasher } from './crypto/lookup.js'
import { createOneTimeSealer } from './crypto/one-time-key.js'
import { createPasswordHasher } from './crypto/passwords.js'
import { createTokenService } from './crypto/tokens.js'
import type { Store } from './db/connect.js'
import { createCommitOne, createTransactor } from './db/transaction.js'
import { createAccountService } from './domain/accounts/account-service.js'
import { createDeletionService } from './domain/accounts/deletion-service.js'
import { createRecoveryService } from './domain/accounts/recovery-service.js'
import { createMailer } from './mail/mailer.js'
import type { CounterStore } from './limits/counter-store.js'
import { createLoginThrottle } from './domain/accounts/login-throttle.js'
import { createClientKey } from './limits/client-key.js'
import { createMemoryCounterStore } from './limits/memory-counter-store.js'
import { createRateLimiter } from './limits/rate-limiter.js'
import type { RateLimiter } from './limits/rate-limiter.js'
import { createRedisCounterStore } from './limits/redis-counter-store.js'
import { createSqlCounterStore } from './limits/sql-counter-store.js'
import { createAuditLog } from './domain/audit/audit-log.js'
import { createAuditReader } from './domain/audit/audit-reader.js'
import { createAuditTrail } from './domain/audit/audit-trail.js'
import { createHealthService } from './domain/health/health-service.js'
import { createLockService } from './domain/lock/lock-service.js'
import { createLinkSealing } from './domain/one-time/link-sealing.js'
import { createOneTimeService } from './domain/one-time/one-time-service.js'
import { createOneTimeQuota } from './domain/one-time/quota.js'
import { createPersonalSecretService } from './domain/vault/personal-secret-service.js'
import { createUserDirectory } from './domain/accounts/directory-service.js'
import { createGroupSecretsService } from './domain/vault/group-secrets-service.js'
import { createGroupService } from './domain/vault/group-service.js'
import { createSharingService } from './domain/vault/sharing-service.js'
import { createVaultService } from './domain/vault/vault-service.js'
import { createVersionService } from './domain/vault/version-service.js'

export interface ServiceOverrides {
  clock?: Clock
  /**
   * Where login-throttle and rate-limit counters live. Defaults: Redis when REDIS_URL is set
   * (shared by every node); otherwise the store's `throttle_counters` table for login throttling
   * (shared by nodes on one database) and process memory for rate limits.
   */
  counters?: CounterStore
  /**
   * The store's keyring (openKeyring), which buildApp and the CLI open first. Without one the
   * keys are derived from the root alone, as they were before the keyring: right for a store
   * whose root never changed and whose data key never rotated.
   */
  keyring?: Keyring
}

/**
 * The domain, wired once (docs/architecture.md rule 5): used by the HTTP app and by the CLI, so both
 * apply the same rules to the same store. Nothing here knows about HTTP.
 */
export function createServices(
  config: Config,
  store: Store,
  clock: Clock,
  overrides: ServiceOverrides = {},
) {
  const keyring =
    overrides.keyring ??
    staticKeyring(loadRootKey({ appSecret: config.appSecret, dataDir: config.dataDir }))
  const keys: Keys = keyring.keys
  const { db } = store
  const transact = createTransactor(store)
  const { envelope } = keyring
  const versionsKept = config.vaultVersionsKept
  const lookup = createLookupHasher(keys.lookup)
  const passwords = createPasswordHasher(keys.passwordPepper)
  const tokens = createTokenService({
    key: keys.tokenSigning,
    clock,
    ttlSeconds: config.tokenTtlSeconds,
  })
  const signer = createCheckpointSigner(keys.auditSigning)
  const publicKey = parsePublicKey(signer.publicKey)
  if (publicKey === undefined) throw new Error('the audit signing key has no public key')
  const checkpointFile = path.join(config.dataDir, CHECKPOINT_FILE)
  const sequencer = createSequencer({
    db,
    dialect: store.dialect,
    transact,
    clock,
    signer,
    openLease: () => createLeaderLease(config.database, 'audit-sequencer'),
    onCheckpoint: (checkpoint) => {
      writeCheckpointFile(config.dataDir, checkpoint)
    },
  })
  const audit = createAuditLog({
    db,
    commitOne: createCommitOne(store, transact),
    clock,
    publicKey,
    sequencer,
    witnesses: () => {
      const held = readCheckpointFile(checkpointFile)
      return held === undefined ? [] : [{ checkpoint: held, source: checkpointFile }]
    },
  })
  const redis = config.redisUrl === undefined ? undefined : createRedisCounterStore(config.redisUrl)
  const rateCounters = overrides.counters ?? redis ?? createMemoryCounterStore()
  const clientKey = createClientKey(config.ipv6ClientPrefix)
  const throttle = createLoginThrottle({
    counters: overrides.counters ?? redis ?? createSqlCounterStore(db),
    lookup,
    clock,
    config: config.loginThrottle,
    clientKey,
  })

  const auditReader = createAuditReader({ db })
  const accounts = createAccountService({
    db,
    transact,
    clock,
    passwords,
    tokens,
    throttle,
    audit,
    envelope,
  })

  const mailer = createMailer(config.mail)

  return {
    /** A fixed-window limiter over the shared rate-limit counters. */
    rateLimiter: (limits: readonly RateLimit[]): RateLimiter =>
      createRateLimiter({ counters: rateCounters, clock, limits, clientKey }),
    /** Which client an address belongs to, for any per-client limit (client-key.ts). */
    clientKey,
    /** Per-client limits on the routes anyone may call without an account. */
    anonymousLimits: {
      hashing: createRateLimiter({
        counters: rateCounters,
        clock,
        limits: config.anonymousHashRateLimits,
        clientKey,
      }),
      oneTimeCreation: createRateLimiter({
        counters: rateCounters,
        clock,
        limits: config.oneTimeCreateRateLimits,
        clientKey,
      }),
    },
    /** Releases what the services hold besides the store (the Redis connection). */
    close: async (): Promise<void> => {
      keyring.stop()
      await sequencer.stop()
      await redis?.close()
      mailer.close()
    },
    audit,
    keyring,
    /** The store's one transactor: whatever else writes in this process must go through it. */
    transact,
    health: createHealthService(store, () => keyring.problem()),
    accounts,
    recovery: createRecoveryService({ db, transact, clock, passwords, lookup, audit, mailer }),
    deletion: createDeletionService({ db, transact, passwords, throttle, audit }),
    personalSecrets: createPersonalSecretService({ db, transact, clock, envelope, audit }),
    auditTrail: createAuditTrail({ db, audit, signer, publicKey }),
    lock: createLockService({ db, audit, auditReader, envelope, accounts, lookup }),
    oneTime: createOneTimeService({
      db,
      dialect: store.dialect,
      transact,
      clock,
      sealing: createLinkSealing({
        sealer: createOneTimeSealer(keys.oneTime),
        lookup,
        passwords,
      }),
      quota: createOneTimeQuota({ lookup, limits: config.oneTimeQuota }),
      audit,
      auditReader,
      limits: {
        maxTtlSeconds: config.oneTimeMaxTtlSeconds,
        maxAttempts: config.oneTimeMaxAttempts,
      },
      eventsPublic: config.eventsPublic,
    }),
    directory: createUserDirectory({ db, audit }),
    vault: createVaultService({ transact, clock, envelope, audit, versionsKept }),
    secretVersions: createVersionService({ transact, clock, envelope, audit, versionsKept }),
    sharing: createSharingService({ transact, clock, audit }),
    groupSecrets: createGroupSecretsService({ db, transact, envelope, audit }),
    groups: createGroupService({ transact, clock, audit, maxMembers: config.groupMaxMembers }),
  }
}

export type Services = ReturnType<typeof createServices>
