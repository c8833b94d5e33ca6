import type { Envelope } from '../../crypto/envelope.js'

/** The sealed fields of a vault secret. */
export type SecretField = 'name' | 'data' | 'iv'

/** AAD naming the row and the field, so a sealed value opens only where it was written. */
export const secretAad = (id: number, field: SecretField): string => `vault-secret:${id}:${field}`

/** A secret's value as its client wrote it: the name, the data and (the later API's) IV. */
export interface SecretValue {
  name: string
  encryptedData: string
  iv?: string | undefined
}

/** A value, opened: the IV is null when the value was written without one. */
export interface OpenedValue {
  name: string
  encryptedData: string
  iv: string | null
}

/** The sealed columns of one value of a secret: its current one, or a kept version. */
export interface SealedValue {
  name_sealed: Buffer
  data_sealed: Buffer
  iv_sealed: Buffer | null
}

/** Seals text for one field of one secret; the plaintext buffer is wiped afterwards. */
export function sealField(
  envelope: Pick<Envelope, 'seal'>,
  id: number,
  field: SecretField,
  text: string,
): Buffer {
  const plaintext = Buffer.from(text, 'utf8')
  try {
    return envelope.seal(plaintext, secretAad(id, field))
  } finally {
    plaintext.fill(0)
  }
}

/** Seals a new current value of secret `id`, each field under its own AAD (a missing IV stays null). */
export function sealValue(
  envelope: Pick<Envelope, 'seal'>,
  id: number,
  value: SecretValue,
): { name: Buffer; data: Buffer; iv: Buffer | null } {
  return {
    name: sealField(envelope, id, 'name', value.name),
    data: sealField(envelope, id, 'data', value.encryptedData),
    iv: value.iv === undefined ? null : sealField(envelope, id, 'iv', value.iv),
  }
}

/** Opens `sealed` under `aad` and hands the plaintext to `use`; the buffer is wiped afterwards. */
export function withOpened<T>(
  envelope: Pick<Envelope, 'open'>,
  sealed: Buffer,
  aad: string,
  use: (plaintext: Buffer) => T,
): T {
  const plaintext = envelope.open(sealed, aad)
  try {
    return use(plaintext)
  } finally {
    plaintext.fill(0)
  }
}

/** Opens text sealed under `aad`; the plaintext buffer is wiped afterwards. */
export const openText = (envelope: Pick<Envelope, 'open'>, sealed: Buffer, aad: string): string =>
  withOpened(envelope, sealed, aad, (plaintext) => plaintext.toString('utf8'))

export const openField = (
  envelope: Pick<Envelope, 'open'>,
  id: number,
  field: SecretField,
  sealed: Buffer,
): string => openText(envelope, sealed, secretAad(id, field))

/** Opens the three fields of a value, each under the AAD `aadOf` names for it. */
export function openValue(
  envelope: Pick<Envelope, 'open'>,
  sealed: SealedValue,
  aadOf: (field: SecretField) => string,
): OpenedValue {
  return {
    name: openText(envelope, sealed.name_sealed, aadOf('name')),
    encryptedData: openText(envelope, sealed.data_sealed, aadOf('data')),
    iv: sealed.iv_sealed === null ? null : openText(envelope, sealed.iv_sealed, aadOf('iv')),
  }
}

/** Opens a secret's current value. */
export const openCurrentValue = (
  envelope: Pick<Envelope, 'open'>,
  secret: SealedValue & { id: number },
): OpenedValue => openValue(envelope, secret, (field) => secretAad(secret.id, field))
