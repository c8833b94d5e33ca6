import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import type { Envelope } from '../../crypto/envelope.js'
import type { Database } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import type { AuditLog } from '../audit/audit-log.js'
import { acted, createAuditedStep } from './audited-step.js'
import { listSharedWith } from './grants-repo.js'
import type { SharedRow } from './grants-repo.js'
import { VAULT_LIMITS } from './limits.js'
import { decide, done, refused } from './outcome.js'
import { recordVaultEvent } from './vault-events.js'
import { accessOf } from './permission.js'
import type { GrantPermission, Granted } from './permission.js'
import {
  countSecretsOwnedBy,
  deleteSecret,
  insertSecretShell,
  listSecretsOwnedBy,
  updateSecretSealed,
} from './secrets-repo.js'
import type { SecretRow } from './secrets-repo.js'
import { onSecret } from './secret-step.js'
import { openCurrentValue, openField, sealValue } from './secret-sealing.js'
import { replaceSecretValue } from './secret-versions.js'
import { clash } from './vault-errors.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'

/** A secret as the vault hands it out: opened, with the caller's access to it. */
export interface SecretView {
  id: number
  name: string
  /** Exactly the string the client stored. */
  encryptedData: string
  /** The client's IV, exactly as stored, for secrets written with one (the later API); else null. */
  iv: string | null
  ownerId: number
  access: Granted
  createdAt: string
  updatedAt: string
}

/** A secret someone else shared with the caller: its name, never its value. */
export interface SharedSecretView {
  id: number
  name: string
  ownerId: number
  permission: GrantPermission
}

export interface SecretInput {
  name: string
  encryptedData: string
  /** The client's IV (the later API); a write without one clears it. */
  iv?: string
}

export type VaultService = ReturnType<typeof createVaultService>

/** What the services that read and write secrets' values (this one and versions) are built from. */
export interface SecretServiceDeps {
  transact: Transact
  clock: Clock
  envelope: Envelope
  audit: Pick<AuditLog, 'append'>
  /** How many earlier values of each secret an update keeps (VAULT_VERSIONS_KEPT). */
  versionsKept: number
}

/**
 * The vault's named secrets (docs/surfaces/2-secrets-v1.md): create, read, update, delete and the two lists.
 * Name and value are sealed at rest, each bound to its row and field. Every outcome that touches
 * a secret, allowed or refused, is on the audit chain in the same transaction as the action;
 * no name or value ever is.
 */
export function createVaultService(deps: SecretServiceDeps) {
  const { transact, clock, envelope, audit, versionsKept } = deps
  const secretStep = onSecret(createAuditedStep(deps))

  const view = (secret: SecretRow, access: Granted): SecretView => ({
    id: secret.id,
    ...openCurrentValue(envelope, secret),
    ownerId: secret.owner_id,
    access,
    createdAt: secret.created_at,
    updatedAt: secret.updated_at,
  })

  /** One event for a whole list, naming its scope and how many secrets it held. */
  const recordListing = (
    trx: Kysely<Database>,
    principal: Principal,
    scope: 'owned' | 'shared',
    count: number,
    context: RequestContext,
  ): Promise<void> =>
    audit.append(trx, {
      type: 'vault.secret.list',
      outcome: 'success',
      actorId: principal.userId,
      details: { scope, count },
      context,
    })

  return {
    /** Stores a new secret owned by the caller; returns its id. */
    create(principal: Principal, input: SecretInput, context: RequestContext): Promise<number> {
      return decide(transact, async (trx) => {
        const owned = await countSecretsOwnedBy(trx, principal.userId)
        if (owned >= VAULT_LIMITS.secretsPerOwner) return refused(clash('secret-limit'))
        const now = clock.now().toISOString()
        // The id is known only after the insert, and the AAD needs it: seal, then fill in.
        const id = await insertSecretShell(trx, principal.userId, now)
        await updateSecretSealed(trx, id, sealValue(envelope, id, input), now)
        await recordVaultEvent(
          audit,
          trx,
          {
            type: 'vault.secret.create',
            outcome: 'success',
            principal,
            target: { type: 'vault-secret', id },
          },
          context,
        )
        return done(id)
      })
    },

    /** The secret, opened, once its read is on the audit chain. */
    read(principal: Principal, id: number, context: RequestContext): Promise<SecretView> {
      return secretStep(
        { principal, secretId: id, action: 'read', type: 'vault.secret.read', context },
        async (_trx, { secret, access }) => acted(view(secret, access), { access }),
      )
    },

    /** Replaces name and value, keeping the old ones as a version; the owner and read-write grantees may. */
    update(
      principal: Principal,
      id: number,
      input: SecretInput,
      context: RequestContext,
    ): Promise<void> {
      return secretStep(
        { principal, secretId: id, action: 'update', type: 'vault.secret.update', context },
        async (trx, { access }) => {
          const now = clock.now().toISOString()
          const version = await replaceSecretValue(trx, envelope, id, input, now, versionsKept)
          return acted(undefined, { access, version })
        },
      )
    },

    /** Deletes the secret and every grant on it; the owner only. */
    delete(principal: Principal, id: number, context: RequestContext): Promise<void> {
      return secretStep(
        { principal, secretId: id, action: 'delete', type: 'vault.secret.delete', context },
        async (trx) => {
          await deleteSecret(trx, id)
          return acted(undefined)
        },
      )
    },

    /** The caller's own secrets, opened, oldest first; one audit event for the whole list. */
    listOwned(principal: Principal, context: RequestContext): Promise<SecretView[]> {
      return transact(async (trx) => {
        const rows = await listSecretsOwnedBy(trx, principal.userId, VAULT_LIMITS.secretsPerOwner)
        await recordListing(trx, principal, 'owned', rows.length, context)
        return rows.map((row) => view(row, 'owner'))
      })
    },
    /**
     * Secrets others shared with the caller, directly or through groups, each once with the
     * strongest permission that reaches it. Names only: a value is read (and audited) one
     * secret at a time.
     */
    listShared(principal: Principal, context: RequestContext): Promise<SharedSecretView[]> {
      return transact(async (trx) => {
        const rows = await listSharedWith(trx, principal.userId, VAULT_LIMITS.sharedListed)
        // A secret reached by several paths is listed once, with the access `accessOf` gives.
        const paths = new Map<number, { row: SharedRow; permissions: GrantPermission[] }>()
        for (const row of rows) {
          const entry = paths.get(row.id)
          if (entry === undefined) paths.set(row.id, { row, permissions: [row.permission] })
          else entry.permissions.push(row.permission)
        }
        const shared = [...paths.values()]
          .flatMap(({ row, permissions }) => {
            const access = accessOf({ isOwner: false, direct: undefined, viaGroups: permissions })
            return access === 'none' || access === 'owner' ? [] : [{ ...row, permission: access }]
          })
          .sort((a, b) =>
            a.granted_at === b.granted_at ? b.id - a.id : a.granted_at < b.granted_at ? 1 : -1,
          )
          .slice(0, VAULT_LIMITS.sharedListed)
        await recordListing(trx, principal, 'shared', shared.length, context)
        return shared.map((row) => ({
          id: row.id,
          name: openField(envelope, row.id, 'name', row.name_sealed),
          ownerId: row.owner_id,
          permission: row.permission,
        }))
      })
    },
  }
}
