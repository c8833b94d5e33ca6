import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import type { Envelope } from '../../crypto/envelope.js'
import type { Database } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AuditType } from '../audit/types.js'
import { accessTo } from './access.js'
import { listSharedWith } from './grants-repo.js'
import type { SharedRow } from './grants-repo.js'
import { VAULT_LIMITS } from './limits.js'
import { decide, done, refused } from './outcome.js'
import { recordVaultEvent } from './vault-events.js'
import type { VaultEvent } from './vault-events.js'
import type { Outcome } from './outcome.js'
import { accessOf, allows } from './permission.js'
import type { GrantPermission, Granted, SecretAction } from './permission.js'
import {
  countSecretsOwnedBy,
  deleteSecret,
  findSecret,
  insertSecretShell,
  listSecretsOwnedBy,
  updateSecretSealed,
} from './secrets-repo.js'
import type { SecretRow } from './secrets-repo.js'
import { openField, sealField } from './secret-sealing.js'
import { replaceSecretValue } from './secret-versions.js'
import { clash, denied, missing } from './vault-errors.js'
import type { VaultDenial } from './vault-errors.js'
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

const DENIAL: Readonly<Record<SecretAction, VaultDenial>> = {
  read: 'secret.read',
  update: 'secret.update',
  delete: 'secret.delete',
  manage: 'secret.manage',
}

/**
 * The vault's named secrets (docs/surfaces/2-secrets-v1.md): create, read, update, delete and the two lists.
 * Name and value are sealed at rest, each bound to its row and field. Every outcome that touches
 * a secret, allowed or refused, is on the audit chain in the same transaction as the action;
 * no name or value ever is.
 */
export function createVaultService(deps: {
  transact: Transact
  clock: Clock
  envelope: Envelope
  audit: Pick<AuditLog, 'append'>
  /** How many earlier values of each secret an update keeps (VAULT_VERSIONS_KEPT). */
  versionsKept: number
}) {
  const { transact, clock, envelope, audit, versionsKept } = deps

  /** Every secret event names the caller as actor and the secret as target. */
  const recordSecretEvent = (
    trx: Kysely<Database>,
    event: Omit<VaultEvent, 'target'> & { secretId: number },
    context: RequestContext,
  ): Promise<void> => {
    const { secretId, ...rest } = event
    return recordVaultEvent(
      audit,
      trx,
      { ...rest, target: { type: 'vault-secret', id: secretId } },
      context,
    )
  }

  /**
   * Loads the secret and checks the caller may do `action` with it. A refusal is recorded on the
   * chain (with the access the caller did have) and returned for `decide` to throw after commit.
   */
  const authorize = async (
    trx: Kysely<Database>,
    principal: Principal,
    id: number,
    action: SecretAction,
    type: AuditType,
    context: RequestContext,
  ): Promise<Outcome<{ secret: SecretRow; access: Granted }>> => {
    const secret = await findSecret(trx, id)
    if (secret === undefined) return refused(missing('secret', id))
    const access = await accessTo(trx, secret, principal.userId)
    if (access === 'none' || !allows(access, action)) {
      await recordSecretEvent(
        trx,
        { type, outcome: 'denied', principal, secretId: id, details: { access } },
        context,
      )
      return refused(denied(DENIAL[action]))
    }
    return done({ secret, access })
  }

  const view = (secret: SecretRow, access: Granted): SecretView => ({
    id: secret.id,
    name: openField(envelope, secret.id, 'name', secret.name_sealed),
    encryptedData: openField(envelope, secret.id, 'data', secret.data_sealed),
    iv: secret.iv_sealed === null ? null : openField(envelope, secret.id, 'iv', secret.iv_sealed),
    ownerId: secret.owner_id,
    access,
    createdAt: secret.created_at,
    updatedAt: secret.updated_at,
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
        await updateSecretSealed(
          trx,
          id,
          {
            name: sealField(envelope, id, 'name', input.name),
            data: sealField(envelope, id, 'data', input.encryptedData),
            iv: input.iv === undefined ? null : sealField(envelope, id, 'iv', input.iv),
          },
          now,
        )
        await recordSecretEvent(
          trx,
          { type: 'vault.secret.create', outcome: 'success', principal, secretId: id },
          context,
        )
        return done(id)
      })
    },

    /** The secret, opened, once its read is on the audit chain. */
    read(principal: Principal, id: number, context: RequestContext): Promise<SecretView> {
      return decide(transact, async (trx) => {
        const allowed = await authorize(trx, principal, id, 'read', 'vault.secret.read', context)
        if (!allowed.ok) return allowed
        const { secret, access } = allowed.value
        await recordSecretEvent(
          trx,
          {
            type: 'vault.secret.read',
            outcome: 'success',
            principal,
            secretId: id,
            details: { access },
          },
          context,
        )
        return done(view(secret, access))
      })
    },

    /** Replaces name and value, keeping the old ones as a version; the owner and read-write grantees may. */
    update(
      principal: Principal,
      id: number,
      input: SecretInput,
      context: RequestContext,
    ): Promise<void> {
      return decide(transact, async (trx) => {
        const allowed = await authorize(
          trx,
          principal,
          id,
          'update',
          'vault.secret.update',
          context,
        )
        if (!allowed.ok) return allowed
        const version = await replaceSecretValue(
          trx,
          envelope,
          id,
          input,
          clock.now().toISOString(),
          versionsKept,
        )
        await recordSecretEvent(
          trx,
          {
            type: 'vault.secret.update',
            outcome: 'success',
            principal,
            secretId: id,
            details: { access: allowed.value.access, version },
          },
          context,
        )
        return done(undefined)
      })
    },

    /** Deletes the secret and every grant on it; the owner only. */
    delete(principal: Principal, id: number, context: RequestContext): Promise<void> {
      return decide(transact, async (trx) => {
        const allowed = await authorize(
          trx,
          principal,
          id,
          'delete',
          'vault.secret.delete',
          context,
        )
        if (!allowed.ok) return allowed
        await deleteSecret(trx, id)
        await recordSecretEvent(
          trx,
          { type: 'vault.secret.delete', outcome: 'success', principal, secretId: id },
          context,
        )
        return done(undefined)
      })
    },

    /** The caller's own secrets, opened, oldest first; one audit event for the whole list. */
    listOwned(principal: Principal, context: RequestContext): Promise<SecretView[]> {
      return transact(async (trx) => {
        const rows = await listSecretsOwnedBy(trx, principal.userId, VAULT_LIMITS.secretsPerOwner)
        await audit.append(trx, {
          type: 'vault.secret.list',
          outcome: 'success',
          actorId: principal.userId,
          details: { scope: 'owned', count: rows.length },
          context,
        })
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
        await audit.append(trx, {
          type: 'vault.secret.list',
          outcome: 'success',
          actorId: principal.userId,
          details: { scope: 'shared', count: shared.length },
          context,
        })
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
