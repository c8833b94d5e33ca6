import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'
import { acted, createAuditedStep } from './audited-step.js'
import type { Acted } from './audited-step.js'
import { refused } from './outcome.js'
import type { Outcome } from './outcome.js'
import type { Granted } from './permission.js'
import type { SecretRow } from './secrets-repo.js'
import { onSecret } from './secret-step.js'
import type { SecretRequest } from './secret-step.js'
import { openCurrentValue, openField, openText } from './secret-sealing.js'
import type { OpenedValue } from './secret-sealing.js'
import { findVersion, listVersions } from './secret-versions-repo.js'
import { openVersionValue, replaceSecretValue, versionAad } from './secret-versions.js'
import { missing } from './vault-errors.js'
import type { SecretServiceDeps } from './vault-service.js'

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
export function createVersionService(deps: SecretServiceDeps) {
  const { clock, envelope, versionsKept } = deps
  const secretStep = onSecret(createAuditedStep(deps))

  /** A version as handed out: its IV only when the value was written with one. */
  const versionView = (
    secret: SecretRow,
    version: number,
    { iv, ...value }: OpenedValue,
    since: { createdAt: string; current: boolean },
  ): VersionView => ({
    secretId: secret.id,
    version,
    ...value,
    ...(iv === null ? {} : { iv }),
    ...since,
  })

  /** The version `number` of `secret`, opened, or undefined when it is not kept. */
  const load = async (
    trx: Kysely<Database>,
    secret: SecretRow,
    number: number,
  ): Promise<VersionView | undefined> => {
    if (number === secret.version) {
      const since = { createdAt: secret.updated_at, current: true }
      return versionView(secret, number, openCurrentValue(envelope, secret), since)
    }
    const row = await findVersion(trx, secret.id, number)
    if (row === undefined) return undefined
    const since = { createdAt: row.created_at, current: false }
    return versionView(secret, number, openVersionValue(envelope, secret.id, number, row), since)
  }

  /** A step on one version of a secret: authorised as `request` says, refused when it is not kept. */
  const versionStep = <T>(
    request: SecretRequest,
    version: number,
    act: (trx: Kysely<Database>, view: VersionView, access: Granted) => Promise<Outcome<Acted<T>>>,
  ): Promise<T> =>
    secretStep(request, async (trx, { secret, access }) => {
      const view = await load(trx, secret, version)
      return view === undefined ? refused(missing('version', version)) : act(trx, view, access)
    })

  return {
    /** The current version and every kept one, newest first; names only. */
    list(principal: Principal, id: number, context: RequestContext): Promise<VersionSummary[]> {
      const type = 'vault.secret.version.list'
      return secretStep(
        { principal, secretId: id, action: 'read', type, context },
        async (trx, { secret, access }) => {
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
              name: openText(envelope, row.name_sealed, versionAad(id, row.version, 'name')),
              createdAt: row.created_at,
              current: false,
            })),
          ]
          return acted(versions, { access, count: versions.length })
        },
      )
    },

    /** One version, opened, once its read is on the audit chain. */
    read(
      principal: Principal,
      id: number,
      version: number,
      context: RequestContext,
    ): Promise<VersionView> {
      const type = 'vault.secret.version.read'
      return versionStep(
        { principal, secretId: id, action: 'read', type, context },
        version,
        async (_trx, view, access) => acted(view, { access, version }),
      )
    },

    /** Writes version `version`'s name and value as a new version; returns its number. */
    rollback(
      principal: Principal,
      id: number,
      version: number,
      context: RequestContext,
    ): Promise<number> {
      return versionStep(
        { principal, secretId: id, action: 'update', type: 'vault.secret.rollback', context },
        version,
        async (trx, target, access) => {
          const now = clock.now().toISOString()
          const created = await replaceSecretValue(trx, envelope, id, target, now, versionsKept)
          return acted(created, { access, from: version, version: created })
        },
      )
    },
  }
}
