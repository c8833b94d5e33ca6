import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import type { Envelope } from '../../crypto/envelope.js'
import type { Database } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AuditType } from '../audit/types.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'
import { accessTo } from './access.js'
import { decide, done, refused } from './outcome.js'
import type { Outcome } from './outcome.js'
import { allows } from './permission.js'
import type { Granted } from './permission.js'
import { findSecret } from './secrets-repo.js'
import type { SecretRow } from './secrets-repo.js'
import { openField } from './secret-sealing.js'
import { findVersion, listVersions } from './secret-versions-repo.js'
import { openVersionField, replaceSecretValue } from './secret-versions.js'
import { denied, missing } from './vault-errors.js'
import { recordVaultEvent } from './vault-events.js'

/** One version of a secret in a list: its name, never its value. */
export interface VersionSummary {
  version: number
  name: string
  createdAt: string
  /** The secret's current value (what GET /v1/secrets answers). */
  current: boolean
}

/** One version of a secret, opened. */
export interface VersionView extends VersionSummary {
  secretId: number
  /** Exactly the string the client stored then. */
  encryptedData: string
  /** The later API's `iv`, when the value was written with one; a rollback restores it too. */
  iv?: string
}

export type VersionService = ReturnType<typeof createVersionService>

/**
 * Secret versions (docs/surfaces/2-secrets-v1.md "Versions"): whoever may read a secret may list
 * and read its versions; whoever may update it may roll it back, which writes the chosen
 * version's value as a new version. The same rule as the secret itself (permission.ts), and
 * every step, allowed or refused, on the audit chain in its transaction.
 */
export function createVersionService(deps: {
  transact: Transact
  clock: Clock
  envelope: Envelope
  audit: Pick<AuditLog, 'append'>
  versionsKept: number
}) {
  const { transact, clock, envelope, audit, versionsKept } = deps

  const authorize = async (
    trx: Kysely<Database>,
    principal: Principal,
    id: number,
    action: 'read' | 'update',
    type: AuditType,
    context: RequestContext,
  ): Promise<Outcome<{ secret: SecretRow; access: Granted }>> => {
    const secret = await findSecret(trx, id)
    if (secret === undefined) return refused(missing('secret', id))
    const access = await accessTo(trx, secret, principal.userId)
    if (access === 'none' || !allows(access, action)) {
      await record(trx, type, 'denied', principal, id, { access }, context)
      return refused(denied(action === 'read' ? 'secret.read' : 'secret.update'))
    }
    return done({ secret, access })
  }

  const record = (
    trx: Kysely<Database>,
    type: AuditType,
    outcome: 'success' | 'denied',
    principal: Principal,
    secretId: number,
    details: Record<string, string | number>,
    context: RequestContext,
  ) =>
    recordVaultEvent(
      audit,
      trx,
      { type, outcome, principal, target: { type: 'vault-secret', id: secretId }, details },
      context,
    )

  /** The version `number` of `secret`, opened, or undefined when it is not kept. */
  const load = async (
    trx: Kysely<Database>,
    secret: SecretRow,
    number: number,
  ): Promise<VersionView | undefined> => {
    if (number === secret.version) {
      return {
        secretId: secret.id,
        version: number,
        name: openField(envelope, secret.id, 'name', secret.name_sealed),
        encryptedData: openField(envelope, secret.id, 'data', secret.data_sealed),
        ...(secret.iv_sealed === null
          ? {}
          : { iv: openField(envelope, secret.id, 'iv', secret.iv_sealed) }),
        createdAt: secret.updated_at,
        current: true,
      }
    }
    const row = await findVersion(trx, secret.id, number)
    if (row === undefined) return undefined
    return {
      secretId: secret.id,
      version: number,
      name: openVersionField(envelope, secret.id, number, 'name', row.name_sealed),
      encryptedData: openVersionField(envelope, secret.id, number, 'data', row.data_sealed),
      ...(row.iv_sealed === null
        ? {}
        : { iv: openVersionField(envelope, secret.id, number, 'iv', row.iv_sealed) }),
      createdAt: row.created_at,
      current: false,
    }
  }

  return {
    /** The current version and every kept one, newest first; names only. */
    list(principal: Principal, id: number, context: RequestContext): Promise<VersionSummary[]> {
      return decide(transact, async (trx) => {
        const type = 'vault.secret.version.list'
        const allowed = await authorize(trx, principal, id, 'read', type, context)
        if (!allowed.ok) return allowed
        const { secret, access } = allowed.value
        const kept = await listVersions(trx, id, versionsKept)
        const versions: VersionSummary[] = [
          {
            version: secret.version,
            name: openField(envelope, id, 'name', secret.name_sealed),
            createdAt: secret.updated_at,
            current: true,
          },
          ...kept.map((row) => ({
            version: row.version,
            name: openVersionField(envelope, id, row.version, 'name', row.name_sealed),
            createdAt: row.created_at,
            current: false,
          })),
        ]
        await record(
          trx,
          type,
          'success',
          principal,
          id,
          { access, count: versions.length },
          context,
        )
        return done(versions)
      })
    },

    /** One version, opened, once its read is on the audit chain. */
    read(
      principal: Principal,
      id: number,
      version: number,
      context: RequestContext,
    ): Promise<VersionView> {
      return decide(transact, async (trx) => {
        const type = 'vault.secret.version.read'
        const allowed = await authorize(trx, principal, id, 'read', type, context)
        if (!allowed.ok) return allowed
        const view = await load(trx, allowed.value.secret, version)
        if (view === undefined) return refused(missing('version', version))
        await record(
          trx,
          type,
          'success',
          principal,
          id,
          { access: allowed.value.access, version },
          context,
        )
        return done(view)
      })
    },

    /** Writes version `version`'s name and value as a new version; returns its number. */
    rollback(
      principal: Principal,
      id: number,
      version: number,
      context: RequestContext,
    ): Promise<number> {
      return decide(transact, async (trx) => {
        const type = 'vault.secret.rollback'
        const allowed = await authorize(trx, principal, id, 'update', type, context)
        if (!allowed.ok) return allowed
        const target = await load(trx, allowed.value.secret, version)
        if (target === undefined) return refused(missing('version', version))
        const created = await replaceSecretValue(
          trx,
          envelope,
          id,
          target,
          clock.now().toISOString(),
          versionsKept,
        )
        await record(
          trx,
          type,
          'success',
          principal,
          id,
          { access: allowed.value.access, from: version, version: created },
          context,
        )
        return done(created)
      })
    },
  }
}
