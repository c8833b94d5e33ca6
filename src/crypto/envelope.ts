import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

import type { DataKey } from './keys.js'

/**
 * AES-256-GCM envelope encryption (NIST SP 800-38D). Every value gets its own random data key
 * (DEK); the DEK is wrapped by the key-encryption key (KEK). Both layers authenticate the header
 * and the caller's associated data, which names the row the value belongs to: a ciphertext copied
 * to another row, a header edited, or any byte flipped fails to open.
 *
 * Layout, version 1:
 *   0x01 ‖ keyId(4) ‖ wrapIv(12) ‖ wrappedDek(32) ‖ wrapTag(16) ‖ iv(12) ‖ ciphertext ‖ tag(16)
 *
 * Random 96-bit IVs are safe here because every DEK encrypts exactly one message, and the KEK's
 * wraps stay far below the 2^32 invocations SP 800-38D §8.3 allows per key.
 */

const VERSION = 0x01
const KEY_ID_LENGTH = 4
const IV_LENGTH = 12
const TAG_LENGTH = 16
const DEK_LENGTH = 32
const HEADER_LENGTH = 1 + KEY_ID_LENGTH
const WRAP_LENGTH = IV_LENGTH + DEK_LENGTH + TAG_LENGTH
const OVERHEAD = HEADER_LENGTH + WRAP_LENGTH + IV_LENGTH + TAG_LENGTH

export type CryptoErrorCode = 'BAD_FORMAT' | 'UNKNOWN_KEY' | 'DECRYPT_FAILED'

export class CryptoError extends Error {
  readonly code: CryptoErrorCode
  constructor(code: CryptoErrorCode, message: string) {
    super(message)
    this.name = 'CryptoError'
    this.code = code
  }
}

export interface Envelope {
  /** Seals `plaintext` for the row named by `aad`, e.g. `personal-secret:42`. */
  seal(plaintext: Uint8Array, aad: string): Buffer
  /** Opens a sealed value; throws `CryptoError` unless it was sealed for exactly this `aad`. */
  open(sealed: Uint8Array, aad: string): Buffer
}

/**
 * @param keys the keyring; the first key seals, any of them opens (so keys can rotate).
 * @example
 *   const envelope = createEnvelope([keys.data])
 *   const sealed = envelope.seal(Buffer.from('hunter2'), 'personal-secret:1')
 *   envelope.open(sealed, 'personal-secret:1') // → <Buffer 68 75 6e 74 65 72 32>
 */
export function createEnvelope(keys: readonly DataKey[]): Envelope {
  const [current] = keys
  if (current === undefined) throw new Error('createEnvelope needs at least one key')
  for (const key of keys) {
    if (key.id.length !== KEY_ID_LENGTH || key.key.length !== 32) throw new Error('bad data key')
  }

  const seal = (plaintext: Uint8Array, aad: string): Buffer => {
    const header = Buffer.alloc(HEADER_LENGTH)
    header[0] = VERSION
    current.id.copy(header, 1)
    const context = Buffer.concat([header, Buffer.from(aad, 'utf8')])

    const dek = randomBytes(DEK_LENGTH)
    try {
      const wrap = gcmEncrypt(current.key, dek, wrapAad(context))
      const body = gcmEncrypt(dek, plaintext, context)
      return Buffer.concat([header, wrap, body])
    } finally {
      dek.fill(0)
    }
  }

  const open = (sealed: Uint8Array, aad: string): Buffer => {
    const input = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
    if (input.length < OVERHEAD || input[0] !== VERSION) {
      throw new CryptoError('BAD_FORMAT', 'not a version 1 envelope')
    }
    const header = input.subarray(0, HEADER_LENGTH)
    const keyId = header.subarray(1)
    const kek = keys.find((key) => key.id.equals(keyId))
    if (kek === undefined)
      throw new CryptoError('UNKNOWN_KEY', 'sealed under a key this server does not hold')
    const context = Buffer.concat([header, Buffer.from(aad, 'utf8')])

    const dek = gcmDecrypt(
      kek.key,
      input.subarray(HEADER_LENGTH, HEADER_LENGTH + WRAP_LENGTH),
      wrapAad(context),
    )
    try {
      return gcmDecrypt(dek, input.subarray(HEADER_LENGTH + WRAP_LENGTH), context)
    } finally {
      dek.fill(0)
    }
  }

  return { seal, open }
}

// The wrap is bound to the same row as the body, under a distinct label so a wrapped DEK can
// never be mistaken for a data ciphertext or the other way round.
const wrapAad = (context: Buffer): Buffer => Buffer.concat([Buffer.from('dek:'), context])

/** iv ‖ ciphertext ‖ tag */
export function gcmEncrypt(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const iv = randomBytes(IV_LENGTH)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH })
  cipher.setAAD(aad)
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()])
}

/** Inverse of `gcmEncrypt`; any change to iv, ciphertext, tag or aad throws DECRYPT_FAILED. */
export function gcmDecrypt(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  if (sealed.length < IV_LENGTH + TAG_LENGTH) throw new CryptoError('BAD_FORMAT', 'too short')
  const iv = sealed.subarray(0, IV_LENGTH)
  const tag = sealed.subarray(sealed.length - TAG_LENGTH)
  const ciphertext = sealed.subarray(IV_LENGTH, sealed.length - TAG_LENGTH)
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH })
    decipher.setAAD(aad)
    decipher.setAuthTag(tag)
    return Buffer.concat([decipher.update(ciphertext), decipher.final()])
  } catch {
    throw new CryptoError('DECRYPT_FAILED', 'ciphertext or associated data was altered')
  }
}
