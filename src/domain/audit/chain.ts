import { createHmac } from 'node:crypto'

import { constantTimeEqual } from '../../crypto/compare.js'

/**
 * The audit hash chain, as pure functions. Each event's hash is HMAC-SHA256 (RFC 2104) under a
 * server key over the event's fields and the previous event's hash. Editing a row changes its
 * hash; deleting, inserting or swapping rows breaks a `seq` or a `prev_hash` link; and without the
 * key nobody can recompute a forged chain. What it cannot see alone: the newest events being cut
 * off together with the head (anchor exports elsewhere for that).
 */

export const GENESIS_HASH = '0'.repeat(64)

/** The hashed fields of one event, as stored. */
export interface ChainRow {
  seq: number
  event_id: string
  occurred_at: string
  type: string
  actor_id: number | null
  target_type: string | null
  target_id: string | null
  outcome: string
  client_ip: string
  user_agent: string
  details: string
  prev_hash: string
  hash: string
}

/**
 * The stored form of an event's details: keys sorted, so the same facts always hash the same,
 * and an export's parsed details re-serialise to exactly what was hashed.
 */
export function canonicalDetails(
  details: Readonly<Record<string, string | number | boolean | null>> | undefined,
): string {
  if (details === undefined) return '{}'
  const sorted = Object.fromEntries(Object.entries(details).sort(([a], [b]) => (a < b ? -1 : 1)))
  return JSON.stringify(sorted)
}

export function hashEvent(key: Buffer, row: Omit<ChainRow, 'hash'>): string {
  // A JSON array fixes field order and escapes separators, so no two events share an input.
  const canonical = JSON.stringify([
    row.seq,
    row.event_id,
    row.occurred_at,
    row.type,
    row.actor_id,
    row.target_type,
    row.target_id,
    row.outcome,
    row.client_ip,
    row.user_agent,
    row.details,
    row.prev_hash,
  ])
  return createHmac('sha256', key).update(canonical).digest('hex')
}

export type BreakReason =
  'edited' | 'missing-before' | 'link-broken' | 'head-mismatch' | 'out-of-order'

export interface ChainBreak {
  seq: number
  eventId: string | null
  reason: BreakReason
  message: string
}

export interface VerifyResult {
  ok: boolean
  checked: number
  lastSeq: number
  lastHash: string
  firstBreak?: ChainBreak
}

/**
 * Walks rows in `seq` order and names the first broken link.
 * @param head the chain tip the store recorded, when verifying a live store; omitted for exports.
 */
export async function verifyChain(
  key: Buffer,
  rows: AsyncIterable<ChainRow> | Iterable<ChainRow>,
  head?: { seq: number; hash: string },
): Promise<VerifyResult> {
  let expectedSeq = 1
  let previousHash = GENESIS_HASH
  let checked = 0

  const broken = (
    row: ChainRow | null,
    seq: number,
    reason: BreakReason,
    message: string,
  ): VerifyResult => ({
    ok: false,
    checked,
    lastSeq: expectedSeq - 1,
    lastHash: previousHash,
    firstBreak: { seq, eventId: row?.event_id ?? null, reason, message },
  })

  for await (const row of rows) {
    if (row.seq < expectedSeq) {
      return broken(
        row,
        row.seq,
        'out-of-order',
        `event ${row.seq} (${row.event_id}) appears after event ${expectedSeq - 1}`,
      )
    }
    if (row.seq > expectedSeq) {
      const gap =
        row.seq === expectedSeq + 1
          ? `event ${expectedSeq} is`
          : `events ${expectedSeq}–${row.seq - 1} are`
      return broken(
        row,
        row.seq,
        'missing-before',
        `${gap} missing before event ${row.seq} (${row.event_id})`,
      )
    }
    if (!constantTimeEqual(row.prev_hash, previousHash)) {
      return broken(
        row,
        row.seq,
        'link-broken',
        `event ${row.seq} (${row.event_id}) does not follow event ${row.seq - 1}: an event was removed, inserted or moved here`,
      )
    }
    if (!constantTimeEqual(hashEvent(key, row), row.hash)) {
      return broken(
        row,
        row.seq,
        'edited',
        `event ${row.seq} (${row.event_id}) does not match its hash: it was altered after it was written, or forged without the chain key`,
      )
    }
    previousHash = row.hash
    expectedSeq += 1
    checked += 1
  }

  if (
    head !== undefined &&
    (head.seq !== expectedSeq - 1 || !constantTimeEqual(head.hash, previousHash))
  ) {
    return broken(
      null,
      head.seq,
      'head-mismatch',
      head.seq > expectedSeq - 1
        ? `events ${expectedSeq}–${head.seq} are missing from the end of the log`
        : `the chain head (event ${head.seq}) does not match the last event (${expectedSeq - 1})`,
    )
  }
  return { ok: true, checked, lastSeq: expectedSeq - 1, lastHash: previousHash }
}
