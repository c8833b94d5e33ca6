import type { Envelope } from '../../crypto/envelope.js'

/** The sealed fields of a vault secret. */
export type SecretField = 'name' | 'data' | 'iv'

/** AAD naming the row and the field, so a sealed value opens only where it was written. */
export const secretAad = (id: number, field: SecretField): string => `vault-secret:${id}:${field}`

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

export function openField(
  envelope: Pick<Envelope, 'open'>,
  id: number,
  field: SecretField,
  sealed: Buffer,
): string {
  const plaintext = envelope.open(sealed, secretAad(id, field))
  try {
    return plaintext.toString('utf8')
  } finally {
    plaintext.fill(0)
  }
}
