import { CryptoError } from '../../crypto/envelope.js'
import type { LookupHasher } from '../../crypto/lookup.js'
import type { OneTimeSealer } from '../../crypto/one-time-key.js'
import type { PasswordHasher } from '../../crypto/passwords.js'
import { randomBytes } from '../../crypto/random.js'
import type { OneTimeKind } from '../../db/tables/one-time.js'
import { newLinkKey } from './link-keys.js'

const SALT_BYTES = 16

/** A new secret, ready to insert: what the row holds, and the key only the link will carry. */
export interface SealedSecret {
  secretKey: string
  lookupHash: string
  sealed: Buffer
  salt: Buffer
  passphraseCheck: Buffer | null
}

/** What reading a row needs. */
export interface StoredSecret {
  sealed: Buffer
  salt: Buffer
}

/**
 * The crypto of one-time links, in one place: how a link key is found (HMAC lookup digest), how
 * a secret is sealed for its link, and how a passphrase is judged. argon2id runs here, so callers
 * must not hold a transaction open around these calls (docs/architecture.md rule 7).
 *
 * - `api` (surface 4): content key from server key + link key. A passphrase only guards
 *   deletion, through a verifier derived from server key + link key + argon2id(passphrase).
 * - `generate` (surface 5): content key from server key + link key + argon2id(passphrase); the
 *   GCM tag is the passphrase check, so nothing about the passphrase is stored at all.
 */
export function createLinkSealing(deps: {
  sealer: OneTimeSealer
  lookup: LookupHasher
  passwords: Pick<PasswordHasher, 'deriveKey'>
}) {
  const { sealer, lookup, passwords } = deps

  const lookupHashOf = (kind: OneTimeKind, secretKey: string): string =>
    lookup(`one-time/${kind}`, secretKey)
  /** Binds a ciphertext to its row: a copy in another row does not open. */
  const aadFor = (kind: OneTimeKind, lookupHash: string): string => `one-time:${kind}:${lookupHash}`

  return {
    lookupHashOf,

    async seal(kind: OneTimeKind, secret: string, passphrase?: string): Promise<SealedSecret> {
      const secretKey = newLinkKey(kind)
      const lookupHash = lookupHashOf(kind, secretKey)
      const salt = randomBytes(SALT_BYTES)
      const passphraseKey =
        passphrase === undefined ? undefined : await passwords.deriveKey(passphrase, salt)
      const plaintext = Buffer.from(secret, 'utf8')
      try {
        const keyed = kind === 'generate' && passphraseKey !== undefined
        const sealed = sealer.seal(
          keyed ? { linkKey: secretKey, salt, passphraseKey } : { linkKey: secretKey, salt },
          plaintext,
          aadFor(kind, lookupHash),
        )
        const passphraseCheck =
          !keyed && passphraseKey !== undefined
            ? sealer.passphraseCheck({ linkKey: secretKey, salt, passphraseKey })
            : null
        return { secretKey, lookupHash, sealed, salt, passphraseCheck }
      } finally {
        plaintext.fill(0)
        passphraseKey?.fill(0)
      }
    },

    /** Opens an `api` secret. A failure here is a broken store or key, never the caller's input. */
    openApi(secretKey: string, lookupHash: string, row: StoredSecret): Buffer {
      return sealer.open(
        { linkKey: secretKey, salt: row.salt },
        row.sealed,
        aadFor('api', lookupHash),
      )
    },

    /**
     * Opens a `generate` secret with its passphrase; undefined when the passphrase is wrong. A
     * foreign server key or a damaged row throws instead: the operator's problem must not spend
     * the owner's attempts.
     */
    async openGenerate(
      secretKey: string,
      lookupHash: string,
      row: StoredSecret,
      passphrase: string,
    ): Promise<Buffer | undefined> {
      const passphraseKey = await passwords.deriveKey(passphrase, row.salt)
      try {
        return sealer.open(
          { linkKey: secretKey, salt: row.salt, passphraseKey },
          row.sealed,
          aadFor('generate', lookupHash),
        )
      } catch (error) {
        if (error instanceof CryptoError && error.code === 'DECRYPT_FAILED') return undefined
        throw error
      } finally {
        passphraseKey.fill(0)
      }
    },

    /** Judges an `api` secret's delete passphrase against its stored verifier. */
    async matchesPassphrase(
      secretKey: string,
      row: { salt: Buffer; passphrase_check: Buffer | null },
      passphrase: string,
    ): Promise<boolean> {
      if (row.passphrase_check === null) return true
      const passphraseKey = await passwords.deriveKey(passphrase, row.salt)
      try {
        return sealer.checkPassphrase(
          { linkKey: secretKey, salt: row.salt, passphraseKey },
          row.passphrase_check,
        )
      } finally {
        passphraseKey.fill(0)
      }
    },
  }
}

export type LinkSealing = ReturnType<typeof createLinkSealing>
