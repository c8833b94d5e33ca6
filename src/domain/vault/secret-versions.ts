import type { Kysely } from 'kysely'

import type { Envelope } from '../../crypto/envelope.js'
import type { Database } from '../../db/schema.js'
import { bumpSecretVersion, insertVersion, pruneVersions } from './secret-versions-repo.js'
import { updateSecretSealed } from './secrets-repo.js'
import { openValue, sealValue, secretAad, withOpened } from './secret-sealing.js'
import type { OpenedValue, SealedValue, SecretField, SecretValue } from './secret-sealing.js'

/** AAD of one field of one kept version: never the same as the current value's AAD. */
export const versionAad = (id: number, version: number, field: SecretField): string =>
  `vault-secret:${id}:v${version}:${field}`

/**
 * Replaces a secret's name and value, keeping the value it replaces as a version (at most
 * `keep` of them per secret; the oldest go first). The kept value is opened under the secret's
 * AAD and sealed again under its version's AAD, so a version cannot be put back as the current
 * value, or as another version, by copying bytes. Returns the new version number. Runs inside
 * the caller's transaction; the secret must exist.
 */
export async function replaceSecretValue(
  trx: Kysely<Database>,
  envelope: Envelope,
  id: number,
  input: SecretValue,
  now: string,
  keep: number,
): Promise<number> {
  const previous = await bumpSecretVersion(trx, id)
  if (previous === undefined) throw new Error(`secret ${id} vanished inside its transaction`)
  const kept = previous.version - 1
  if (keep > 0) {
    await insertVersion(trx, {
      secret_id: id,
      version: kept,
      name_sealed: reseal(envelope, id, kept, 'name', previous.name_sealed),
      data_sealed: reseal(envelope, id, kept, 'data', previous.data_sealed),
      iv_sealed:
        previous.iv_sealed === null ? null : reseal(envelope, id, kept, 'iv', previous.iv_sealed),
      created_at: previous.updated_at,
    })
  }
  await pruneVersions(trx, id, kept, keep)
  await updateSecretSealed(trx, id, sealValue(envelope, id, input), now)
  return previous.version
}

function reseal(
  envelope: Envelope,
  id: number,
  version: number,
  field: SecretField,
  sealed: Buffer,
): Buffer {
  return withOpened(envelope, sealed, secretAad(id, field), (plaintext) =>
    envelope.seal(plaintext, versionAad(id, version, field)),
  )
}

/** Opens the whole value kept as version `version` of secret `id`. */
export const openVersionValue = (
  envelope: Pick<Envelope, 'open'>,
  id: number,
  version: number,
  sealed: SealedValue,
): OpenedValue => openValue(envelope, sealed, (field) => versionAad(id, version, field))
