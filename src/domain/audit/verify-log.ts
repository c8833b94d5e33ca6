import type { KeyObject } from 'node:crypto'

import { verifyCheckpoint } from '../../crypto/checkpoint.js'
import type { Checkpoint } from '../../crypto/checkpoint.js'
import { MerkleFrontier } from '../../crypto/merkle.js'
import { eventLeafHash } from './leaf.js'
import type { LeafFields } from './leaf.js'

/** A sealed event as the verifier reads it: the hashed fields and the stored leaf hash. */
export interface SealedEvent extends LeafFields {
  leaf_hash: string
}

export type BreakReason =
  'edited' | 'missing' | 'out-of-order' | 'checkpoint-mismatch' | 'checkpoint-forged' | 'truncated'

export interface LogBreak {
  reason: BreakReason
  /** The position the break is at (an event's seq, or a checkpoint's tree size). */
  seq: number
  eventId: string | null
  message: string
}

export interface LogVerification {
  ok: boolean
  /** Sealed events read and found consistent before the first break. */
  checked: number
  /** Signed checkpoints whose signature and root were checked. */
  checkpointsVerified: number
  /** The largest tree size a valid signature vouches for. */
  signedSize: number
  /** Where the outside checkpoint came from, when one was given. */
  outside?: { source: string; treeSize: number }
  firstBreak?: LogBreak
}

/** A checkpoint and where it was held: in the store, in the export, or outside both. */
export interface SourcedCheckpoint {
  checkpoint: Checkpoint
  source: string
}

/**
 * Checks a sealed log against signed checkpoints with the public key alone (docs/audit.md).
 * It names the first of these it meets:
 * - an event whose fields no longer match its leaf hash (edited, or moved to another position);
 * - a position missing from the sequence (deleted) or repeated / going back (inserted, reordered);
 * - a signed root that the events up to its size do not reproduce (edited together with its hash);
 * - a checkpoint whose signature does not verify (forged, altered, or another key's);
 * - a checkpoint that covers more events than the log holds (the tail, the head or all of it cut).
 * `outside` is the strongest witness: a checkpoint kept away from the store (a file, an auditor's
 * copy). Checkpoints stored with the log can be deleted together with its tail; that one cannot.
 */
export async function verifyLog(
  publicKey: KeyObject,
  events: AsyncIterable<SealedEvent> | Iterable<SealedEvent>,
  checkpoints: readonly SourcedCheckpoint[],
): Promise<LogVerification> {
  let checked = 0
  let checkpointsVerified = 0
  let signedSize = 0
  const outside = checkpoints.find((c) => c.source !== 'store' && c.source !== 'export')
  const summary = (): Omit<LogVerification, 'ok'> => ({
    checked,
    checkpointsVerified,
    signedSize,
    ...(outside === undefined
      ? {}
      : { outside: { source: outside.source, treeSize: outside.checkpoint.treeSize } }),
  })
  const broken = (b: LogBreak): LogVerification => ({ ok: false, ...summary(), firstBreak: b })

  for (const { checkpoint, source } of checkpoints) {
    if (!verifyCheckpoint(publicKey, checkpoint)) {
      return broken({
        reason: 'checkpoint-forged',
        seq: checkpoint.treeSize,
        eventId: null,
        message: `the checkpoint for ${checkpoint.treeSize} event(s) (${source}, issued ${checkpoint.issuedAt}) does not carry a valid signature of this log's key: it was forged or altered`,
      })
    }
  }
  const pending = [...checkpoints].sort((a, b) => a.checkpoint.treeSize - b.checkpoint.treeSize)
  const tree = new MerkleFrontier()
  let previousCheckpointSize = 0

  const checkRootsAt = (size: number): LogVerification | undefined => {
    for (let next = pending[0]; next?.checkpoint.treeSize === size; next = pending[0]) {
      pending.shift()
      const { checkpoint, source } = next
      if (tree.root().toString('hex') !== checkpoint.rootHash) {
        return broken({
          reason: 'checkpoint-mismatch',
          seq: size,
          eventId: null,
          message: `events ${previousCheckpointSize + 1}–${size} do not reproduce the root signed for ${size} event(s) (${source}, issued ${checkpoint.issuedAt}): an event in that range was altered, inserted or removed`,
        })
      }
      checkpointsVerified += 1
      signedSize = Math.max(signedSize, size)
      previousCheckpointSize = size
    }
    return undefined
  }
  const empty = checkRootsAt(0)
  if (empty !== undefined) return empty

  for await (const event of events) {
    const expected = tree.size + 1
    if (event.seq > expected) {
      const gap =
        event.seq === expected + 1
          ? `event ${expected} is`
          : `events ${expected}–${event.seq - 1} are`
      return broken({
        reason: 'missing',
        seq: expected,
        eventId: event.event_id,
        message: `${gap} missing before event ${event.seq} (${event.event_id})`,
      })
    }
    if (event.seq < expected) {
      return broken({
        reason: 'out-of-order',
        seq: event.seq,
        eventId: event.event_id,
        message: `event ${event.seq} (${event.event_id}) appears after event ${expected - 1}: an event was inserted, repeated or moved here`,
      })
    }
    // Plain comparisons: every hash here is public, so timing tells an attacker nothing.
    const leaf = eventLeafHash(event)
    if (leaf !== event.leaf_hash) {
      return broken({
        reason: 'edited',
        seq: event.seq,
        eventId: event.event_id,
        message: `event ${event.seq} (${event.event_id}) does not match its leaf hash: it was altered or moved after it was sealed`,
      })
    }
    tree.append(Buffer.from(leaf, 'hex'))
    checked += 1
    const mismatch = checkRootsAt(tree.size)
    if (mismatch !== undefined) return mismatch
  }

  const beyond = pending.at(-1)
  if (beyond !== undefined) {
    const held = tree.size
    return broken({
      reason: 'truncated',
      seq: held + 1,
      eventId: null,
      message:
        held === 0
          ? `the log holds no sealed event, but a checkpoint (${beyond.source}, issued ${beyond.checkpoint.issuedAt}) vouches for ${beyond.checkpoint.treeSize}: the log was wiped`
          : `events ${held + 1}–${beyond.checkpoint.treeSize} are missing from the end of the log: a checkpoint (${beyond.source}, issued ${beyond.checkpoint.issuedAt}) vouches for ${beyond.checkpoint.treeSize} event(s)`,
    })
  }
  return { ok: true, ...summary() }
}
