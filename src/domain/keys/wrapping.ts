import { gcmDecrypt, gcmEncrypt } from '../../crypto/envelope.js'
import { deriveKey } from '../../crypto/keys.js'

/**
 * Key wrapping for the keyring: AES-256-GCM under a key-encryption key HKDF-derived from a root,
 * with a label naming what is wrapped as associated data, so a wrapped data key of version 2
 * cannot be passed off as version 3 or as the base key.
 */
export const kekOf = (root: Buffer): Buffer => deriveKey(root, 'keyring/kek/v1')

export type WrapLabel = 'base' | `data-key/${number}`

const associated = (label: WrapLabel): Buffer => Buffer.from(`strongroom/keyring/${label}`)

export const wrapKey = (kek: Buffer, key: Buffer, label: WrapLabel): Buffer =>
  gcmEncrypt(kek, key, associated(label))

/** Throws `CryptoError` (DECRYPT_FAILED) when the KEK or the label is not the one that wrapped it. */
export const unwrapKey = (kek: Buffer, wrapped: Buffer, label: WrapLabel): Buffer =>
  gcmDecrypt(kek, wrapped, associated(label))
