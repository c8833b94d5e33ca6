/**
 * Checking the audit log in this browser, trusting nothing the server says about itself: the
 * page recomputes an event's leaf from the fields it was shown, climbs the RFC 9162 audit path
 * to the root, and checks the Ed25519 signature of the checkpoint that names that root, with
 * WebCrypto alone. A server that edited, dropped or moved an event, or forged a checkpoint,
 * fails here. What it cannot show is that the public key is the right one: compare its id with
 * the one your administrator published (README, `strongroom audit verify`).
 *
 * The encodings mirror the server's (src/domain/audit/leaf.ts, src/crypto/merkle.ts,
 * src/crypto/checkpoint.ts); a test in the browser proves they agree.
 */

import type { AuditEventView } from '../../../src/domain/audit/event-view.js'
import { signedCheckpointText } from '../../../src/crypto/checkpoint-format.js'
import type { CheckpointJson } from '../../../src/crypto/checkpoint-format.js'
import { canonicalDetails, leafText } from '../../../src/domain/audit/leaf-encoding.js'

export type { CheckpointJson }

/** An audit event as the server shows it: the one declaration, shared with the server. */
export type SealedEventFields = AuditEventView

export interface InclusionJson {
  event: SealedEventFields
  leaf_index: number
  checkpoint: CheckpointJson
  audit_path: string[]
}

const hex = (bytes: ArrayBuffer | Uint8Array): string =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('')

const fromHex = (text: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array((text.match(/../g) ?? []).map((pair) => parseInt(pair, 16)))

const fromBase64 = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(text), (char) => char.charCodeAt(0))

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes))

const sha256 = async (...parts: Uint8Array[]): Promise<Uint8Array<ArrayBuffer>> => {
  const joined = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
  let offset = 0
  for (const part of parts) {
    joined.set(part, offset)
    offset += part.length
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined))
}

const LEAF = new Uint8Array([0])
const NODE = new Uint8Array([1])

/** The RFC 9162 leaf hash of an event, from the fields the page shows, hex. */
export async function leafHashOf(event: SealedEventFields & { seq: number }): Promise<string> {
  const bytes = new TextEncoder().encode(
    leafText({ ...event, event_id: event.id, details: canonicalDetails(event.details) }),
  )
  return hex(await sha256(LEAF, bytes))
}

/** RFC 9162 §2.1.3.2: the root that an audit path leads to from a leaf, or undefined. */
async function rootFromPath(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: readonly string[],
): Promise<Uint8Array | undefined> {
  if (!(index >= 0 && index < size)) return undefined
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const step of path) {
    const p = fromHex(step)
    if (sn === 0) return undefined
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(NODE, p, r)
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2)
        sn = Math.floor(sn / 2)
      }
    } else {
      r = await sha256(NODE, r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 ? r : undefined
}

export interface AuditKey {
  keyId: string
  key: CryptoKey
}

/** The checkpoint key from its raw base64 form, with the id the server derives from it. */
export async function importAuditKey(publicKey: string): Promise<AuditKey> {
  const raw = fromBase64(publicKey)
  const keyId = hex(await sha256(raw)).slice(0, 16)
  const key = await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify'])
  return { keyId, key }
}

/** Whether `checkpoint` carries a valid Ed25519 signature by `auditKey`. */
export async function checkpointSigned(
  auditKey: AuditKey,
  checkpoint: CheckpointJson,
): Promise<boolean> {
  if (checkpoint.key_id !== auditKey.keyId) return false
  if (!/^[0-9a-f]{64}$/.test(checkpoint.root_hash)) return false
  const text = signedCheckpointText(
    checkpoint.tree_size,
    toBase64(fromHex(checkpoint.root_hash)),
    checkpoint.issued_at,
  )
  try {
    return await crypto.subtle.verify(
      { name: 'Ed25519' },
      auditKey.key,
      fromBase64(checkpoint.signature),
      new TextEncoder().encode(text),
    )
  } catch {
    return false
  }
}

/**
 * Whether the proof shows `shown` (the event as the page listed it) in the signed log: its
 * fields hash to its leaf, the path leads to the checkpoint's root, and the checkpoint is signed.
 * Failing, it says which of these broke.
 */
export async function proveIncluded(
  auditKey: AuditKey,
  shown: SealedEventFields,
  proof: InclusionJson,
): Promise<{ ok: true } | { ok: false; why: string }> {
  if (shown.seq === null) return { ok: false, why: 'not sealed yet' }
  const leaf = await leafHashOf({ ...shown, seq: shown.seq })
  if (leaf !== shown.leaf_hash || leaf !== proof.event.leaf_hash) {
    return { ok: false, why: 'its fields do not hash to its leaf' }
  }
  // Leaf i of the tree is the event at position i + 1 (positions start at 1).
  if (proof.leaf_index !== shown.seq - 1)
    return { ok: false, why: 'it is proven at another position' }
  const root = await rootFromPath(
    fromHex(leaf),
    proof.leaf_index,
    proof.checkpoint.tree_size,
    proof.audit_path,
  )
  if (root === undefined || hex(root) !== proof.checkpoint.root_hash) {
    return { ok: false, why: 'its audit path does not lead to the signed root' }
  }
  if (!(await checkpointSigned(auditKey, proof.checkpoint))) {
    return { ok: false, why: 'the checkpoint’s signature is not valid' }
  }
  return { ok: true }
}
