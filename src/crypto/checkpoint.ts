import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'

import { signedCheckpointText } from './checkpoint-format.js'
import type { CheckpointJson } from './checkpoint-format.js'

export type { CheckpointJson } from './checkpoint-format.js'

/**
 * Signed checkpoints of the audit log: a tree size and its Merkle root, signed with Ed25519
 * (RFC 8032), so anyone holding the public key can check a log or an export without any of the
 * server's secrets. The signed text follows the shape of transparency-log checkpoints (an
 * origin line, the size, the base64 root), plus the time it was issued:
 *
 *     strongroom-audit/v1
 *     1234
 *     n8Y…base64 root…=
 *     2026-12-03T10:00:00.000Z
 */

export interface Checkpoint {
  treeSize: number
  /** Hex SHA-256 Merkle root (RFC 9162) of the first `treeSize` events. */
  rootHash: string
  issuedAt: string
  /** Which public key signed it: hex of the first 8 bytes of SHA-256 over the raw key. */
  keyId: string
  /** Base64 Ed25519 signature over `checkpointText`. */
  signature: string
}

export type UnsignedCheckpoint = Pick<Checkpoint, 'treeSize' | 'rootHash' | 'issuedAt'>

export const checkpointText = (c: UnsignedCheckpoint): string =>
  signedCheckpointText(c.treeSize, Buffer.from(c.rootHash, 'hex').toString('base64'), c.issuedAt)

// PKCS#8 and SPKI wrappers of a raw Ed25519 key (RFC 8410): the fixed DER prefix, then 32 bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

export interface CheckpointSigner {
  readonly keyId: string
  /** The raw 32-byte public key, base64: what the key route and every export publish. */
  readonly publicKey: string
  sign(checkpoint: UnsignedCheckpoint): Checkpoint
}

export const keyIdOf = (rawPublicKey: Buffer): string =>
  createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 16)

/** A signer from a 32-byte seed (derived from the root key, so every node signs alike). */
export function createCheckpointSigner(seed: Buffer): CheckpointSigner {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes')
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  })
  const raw = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32)
  const keyId = keyIdOf(raw)
  return {
    keyId,
    publicKey: raw.toString('base64'),
    sign: (c) => ({
      ...c,
      keyId,
      signature: sign(null, Buffer.from(checkpointText(c)), privateKey).toString('base64'),
    }),
  }
}

/** A public key from its base64 raw form; undefined when it is not a 32-byte Ed25519 key. */
export function parsePublicKey(base64: string): KeyObject | undefined {
  const raw = Buffer.from(base64, 'base64')
  if (raw.length !== 32 || raw.toString('base64') !== base64.trim()) return undefined
  try {
    return createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, raw]),
      format: 'der',
      type: 'spki',
    })
  } catch {
    return undefined
  }
}

/** Whether `checkpoint` was signed by `publicKey` (and names that key). */
export function verifyCheckpoint(publicKey: KeyObject, checkpoint: Checkpoint): boolean {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)
  if (checkpoint.keyId !== keyIdOf(raw)) return false
  if (!/^[0-9a-f]{64}$/.test(checkpoint.rootHash)) return false
  const signature = Buffer.from(checkpoint.signature, 'base64')
  if (signature.length !== 64) return false
  try {
    return verify(null, Buffer.from(checkpointText(checkpoint)), publicKey, signature)
  } catch {
    return false
  }
}

export const checkpointJson = (c: Checkpoint): CheckpointJson => ({
  tree_size: c.treeSize,
  root_hash: c.rootHash,
  issued_at: c.issuedAt,
  key_id: c.keyId,
  signature: c.signature,
})

export function parseCheckpointJson(value: unknown): Checkpoint | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const v = value as Partial<Record<keyof CheckpointJson, unknown>>
  if (
    typeof v.tree_size !== 'number' ||
    !Number.isSafeInteger(v.tree_size) ||
    v.tree_size < 0 ||
    typeof v.root_hash !== 'string' ||
    typeof v.issued_at !== 'string' ||
    typeof v.key_id !== 'string' ||
    typeof v.signature !== 'string'
  ) {
    return undefined
  }
  return {
    treeSize: v.tree_size,
    rootHash: v.root_hash,
    issuedAt: v.issued_at,
    keyId: v.key_id,
    signature: v.signature,
  }
}
