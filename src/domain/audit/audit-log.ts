import type { KeyObject } from 'node:crypto'

import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import { timeOrderedId } from '../../crypto/random.js'
import type { Database } from '../../db/schema.js'
import type { CommitOne } from '../../db/transaction.js'
import { findCheckpoints } from './checkpoints-repo.js'
import { canonicalDetails } from './leaf-encoding.js'
import {
  MAX_SEQ,
  countUnsealed,
  findHighestSeq,
  insertAuditEvent,
  streamSealedEvents,
} from './repo.js'
import type { Sequencer } from './sequencer.js'
import { findLogState } from './sequencer-repo.js'
import type { AuditEvent } from './types.js'
import { verifyLog } from './verify-log.js'
import type { LogVerification, SourcedCheckpoint } from './verify-log.js'

export interface StoreVerification extends LogVerification {
  /** Committed events the sequencer has not sealed yet (not covered by any check). */
  unsealed: number
}

export interface AuditLog {
  /**
   * Records an event inside the caller's transaction, so the event exists exactly when the
   * action it records does (a rolled-back action leaves no event, a committed one can't lack
   * it). One INSERT: no position, no hash and no lock that another request also needs; the
   * sequencer orders and seals it off the request path.
   */
  append(trx: Kysely<Database>, event: AuditEvent): Promise<void>
  /**
   * Records an event on its own, durably: for outcomes with nothing else to commit, such as a
   * read (whose secret leaves only once this has resolved) or a refusal.
   */
  record(event: AuditEvent): Promise<void>
  /** Checks the sealed log against its signed checkpoints (and `outside` ones, if given). */
  verify(outside?: readonly SourcedCheckpoint[]): Promise<StoreVerification>
  readonly sequencer: Sequencer
}

/** Longest user agent kept; anything longer is cut, not rejected. */
const MAX_USER_AGENT_LENGTH = 512

export function createAuditLog(deps: {
  db: Kysely<Database>
  commitOne: CommitOne
  clock: Clock
  publicKey: KeyObject
  sequencer: Sequencer
  /** Checkpoints kept outside the database that every verification also checks. */
  witnesses?: () => SourcedCheckpoint[]
}): AuditLog {
  const { db, commitOne, clock, publicKey, sequencer } = deps

  const append = async (trx: Kysely<Database>, event: AuditEvent): Promise<void> => {
    const now = clock.now()
    await insertAuditEvent(trx, {
      // Time-ordered, so a busy log appends to its event-id index instead of scattering.
      event_id: timeOrderedId(now.getTime()),
      occurred_at: now.toISOString(),
      type: event.type,
      actor_id: event.actorId,
      target_type: event.target?.type ?? null,
      target_id: event.target === undefined ? null : String(event.target.id),
      outcome: event.outcome,
      client_ip: event.context.clientIp,
      user_agent: event.context.userAgent.slice(0, MAX_USER_AGENT_LENGTH),
      details: canonicalDetails(event.details),
    })
  }

  return {
    append,
    record: (event) => commitOne((db) => append(db, event)),
    sequencer,
    verify: (outside = []) =>
      verifyStore(db, publicKey, [...(deps.witnesses?.() ?? []), ...outside]),
  }
}

/**
 * Verifies the log in a store with the public key alone: what `strongroom audit verify` runs,
 * with or without the server's keys. The head record (how far the sequencer sealed) must agree
 * with the events too, so deleting it is named even when nothing else was touched.
 */
export async function verifyStore(
  db: Kysely<Database>,
  publicKey: KeyObject,
  outside: readonly SourcedCheckpoint[] = [],
): Promise<StoreVerification> {
  // Checkpoints, then the head, then the events up to the head: the sequencer may seal more
  // meanwhile, and what it seals after the head was read is simply not part of this check.
  const stored = (await findCheckpoints(db)).map((checkpoint) => ({
    checkpoint,
    source: 'store',
  }))
  const head = await findLogState(db).catch(() => undefined)
  const result = await verifyLog(publicKey, streamSealedEvents(db, head?.treeSize ?? MAX_SEQ), [
    ...stored,
    ...outside,
  ])
  const unsealed = await countUnsealed(db)
  if (!result.ok) return { ...result, unsealed }
  const headBreak = (message: string): StoreVerification => ({
    ...result,
    ok: false,
    unsealed,
    firstBreak: { reason: 'truncated', seq: result.checked + 1, eventId: null, message },
  })
  if (head === undefined) {
    return headBreak('the head record of the log (audit_log_state) is missing: it was deleted')
  }
  if (head.treeSize > result.checked) {
    return headBreak(
      `events ${result.checked + 1}–${head.treeSize} are missing from the end of the log (its head record says ${head.treeSize} were sealed)`,
    )
  }
  // Highest position first, head second: an honest sequencer commits both together, so the
  // head read later can only be larger. A position beyond it was written behind its back.
  const highest = await findHighestSeq(db)
  const later = await findLogState(db).catch(() => head)
  if (highest > later.treeSize) {
    return {
      ...result,
      ok: false,
      unsealed,
      firstBreak: {
        reason: 'out-of-order',
        seq: later.treeSize + 1,
        eventId: null,
        message: `events ${later.treeSize + 1}–${highest} lie beyond the head of the log (${later.treeSize} sealed): they were added behind the sequencer's back`,
      },
    }
  }
  return { ...result, unsealed }
}
