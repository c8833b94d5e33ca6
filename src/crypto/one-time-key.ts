import { hkdfSync } from 'node:crypto'

import { constantTimeEqual } from './compare.js'
import { CryptoError, gcmDecrypt, gcmEncrypt } from './envelope.js'
import { deriveKey } from './keys.js'

/**
 * Keys of one-time secrets. A one-time secret is sealed under a content key that needs three
 * things: the server's one-time key, the link key that only the link holder has (the database
 * keeps an HMAC of it, never the key), and — where the passphrase must be part of the key — an
 * argon2id output of the passphrase. So a copy of the database plus every server key still opens
 * nothing without the link, and a Generate secret opens with nothing less than link + passphrase.
 *
 * Content key = HKDF-SHA256 (RFC 5869) with
 *   IKM  = len‖serverKey ‖ len‖utf8(linkKey) ‖ len‖passphraseKey   (4-byte big-endian lengths,
 *          so the concatenation is injective; an absent passphrase key has length 0)
 *   salt = the row's 16 random bytes,
 *   info = "strongroom/one-time/<purpose>/v1".
 * The plaintext is then AES-256-GCM (NIST SP 800-38D) sealed; the header (version, key id) and the
 * caller's row label are the associated data. Each content key seals exactly one message, so a
 * random 96-bit IV cannot repeat under it.
 *
 * Layout, version 1:  0x01 ‖ keyId(4) ‖ iv(12) ‖ ciphertext ‖ tag(16)
 */

const VERSION = 0x01
const KEY_ID_LENGTH = 4
const HEADER_LENGTH = 1 + KEY_ID_LENGTH
/** Smallest sealed value: header, IV and tag around an empty plaintext. */
const MIN_SEALED_LENGTH = HEADER_LENGTH + 12 + 16

export type OneTimeKeyPurpose = 'content' | 'passphrase-check'

/** What a link holder brings: the link key, and for some secrets a passphrase-derived key. */
export interface LinkSecrets {
  /** The key in the link, exactly as it is looked up (canonical form). */
  linkKey: string
  /** The row's random salt (also the argon2id salt of its passphrase). */
  salt: Buffer
  /** argon2id output of the passphrase, when the passphrase is part of the key. */
  passphraseKey?: Buffer
}

const lengthPrefixed = (value: Buffer): Buffer => {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(value.length)
  return Buffer.concat([length, value])
}

/** HKDF-SHA256 over the server key and the link holder's secrets, for one purpose. */
export function deriveOneTimeKey(
  serverKey: Buffer,
  secrets: LinkSecrets,
  purpose: OneTimeKeyPurpose,
): Buffer {
  const ikm = Buffer.concat([
    lengthPrefixed(serverKey),
    lengthPrefixed(Buffer.from(secrets.linkKey, 'utf8')),
    lengthPrefixed(secrets.passphraseKey ?? Buffer.alloc(0)),
  ])
  try {
    return Buffer.from(
      hkdfSync('sha256', ikm, secrets.salt, `strongroom/one-time/${purpose}/v1`, 32),
    )
  } finally {
    ikm.fill(0)
  }
}

export interface OneTimeSealer {
  /** Seals `plaintext` for the row named by `aad`, under the link holder's content key. */
  seal(secrets: LinkSecrets, plaintext: Uint8Array, aad: string): Buffer
  /**
   * Opens a sealed value. Throws `CryptoError`: UNKNOWN_KEY when it was sealed under another
   * server key, DECRYPT_FAILED when the link key, passphrase, row or any byte differs.
   */
  open(secrets: LinkSecrets, sealed: Uint8Array, aad: string): Buffer
  /**
   * A passphrase verifier bound to the link: HKDF of the server key, the link key and the
   * passphrase's argon2id output (purpose `passphrase-check`, independent of the content key).
   * Stored, it lets nobody test passphrase guesses without the link as well.
   */
  passphraseCheck(secrets: Required<LinkSecrets>): Buffer
  /** Compares a stored verifier with the one the caller's secrets produce, in constant time. */
  checkPassphrase(secrets: Required<LinkSecrets>, stored: Uint8Array): boolean
}

export function createOneTimeSealer(serverKey: Buffer): OneTimeSealer {
  if (serverKey.length !== 32) throw new Error('one-time server key must be 32 bytes')
  // Names the server key in every ciphertext, so a changed APP_SECRET reads as "not our key"
  // rather than as a wrong passphrase (which would spend a secret's attempt budget).
  const keyId = deriveKey(serverKey, 'one-time/key-id/v1', KEY_ID_LENGTH)
  const header = Buffer.concat([Buffer.from([VERSION]), keyId])
  const associated = (aad: string): Buffer => Buffer.concat([header, Buffer.from(aad, 'utf8')])

  const withContentKey = <T>(secrets: LinkSecrets, use: (key: Buffer) => T): T => {
    const key = deriveOneTimeKey(serverKey, secrets, 'content')
    try {
      return use(key)
    } finally {
      key.fill(0)
    }
  }

  const passphraseCheck = (secrets: Required<LinkSecrets>): Buffer =>
    deriveOneTimeKey(serverKey, secrets, 'passphrase-check')

  return {
    seal: (secrets, plaintext, aad) =>
      withContentKey(secrets, (key) =>
        Buffer.concat([header, gcmEncrypt(key, plaintext, associated(aad))]),
      ),

    open(secrets, sealed, aad) {
      const input = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
      if (input.length < MIN_SEALED_LENGTH || input[0] !== VERSION) {
        throw new CryptoError('BAD_FORMAT', 'not a version 1 one-time value')
      }
      if (!input.subarray(1, HEADER_LENGTH).equals(keyId)) {
        throw new CryptoError('UNKNOWN_KEY', 'sealed under a key this server does not hold')
      }
      return withContentKey(secrets, (key) =>
        gcmDecrypt(key, input.subarray(HEADER_LENGTH), associated(aad)),
      )
    },

    passphraseCheck,

    checkPassphrase(secrets, stored) {
      const expected = passphraseCheck(secrets)
      try {
        return constantTimeEqual(expected, stored)
      } finally {
        expected.fill(0)
      }
    },
  }
}
