import type { KeyObject } from 'node:crypto'

import { parseCheckpointJson, parsePublicKey } from '../../crypto/checkpoint.js'
import type { CheckpointJson } from '../../crypto/checkpoint.js'
import { canonicalDetails } from './leaf-encoding.js'
import { verifyLog } from './verify-log.js'
import type { LogVerification, SealedEvent, SourcedCheckpoint } from './verify-log.js'
import type { AuditEventView } from './views.js'

/**
 * The NDJSON export of the audit log (`GET /v1/audit/export`), one JSON object a line:
 *
 *     {"kind":"header","format":"strongroom-audit-export/v2","public_key":"…","key_id":"…","tree_size":N}
 *     {"kind":"checkpoint","tree_size":…,"root_hash":…,"issued_at":…,"key_id":…,"signature":…}   (each)
 *     {"kind":"event","seq":1,"id":"…",…,"leaf_hash":"…"}                                          (each)
 *     {"kind":"end","events":N}
 *
 * Everything needed to verify it travels with it except trust: the header names the key that
 * signed it, and a verifier that is not told which key to expect can only say that the export
 * is consistent with itself.
 */
export const EXPORT_FORMAT = 'strongroom-audit-export/v2'

export type ExportLine =
  | { kind: 'header'; format: string; public_key: string; key_id: string; tree_size: number }
  | ({ kind: 'checkpoint' } & CheckpointJson)
  | ({ kind: 'event' } & AuditEventView)
  | { kind: 'end'; events: number }

export interface ExportVerification extends LogVerification {
  /** True when the key came from the export itself rather than from the verifier. */
  keyFromExport: boolean
}

type Line = Record<string, unknown>

/**
 * Verifies exported lines (parsed JSON) with the public key alone. `publicKey` pins the key an
 * auditor trusts; without it the header's key is used and the result says so. `outside` are
 * checkpoints the auditor kept from earlier (they catch an export cut at a checkpoint).
 */
export async function verifyExport(
  lines: AsyncIterable<unknown> | Iterable<unknown>,
  options: { publicKey?: KeyObject; outside?: readonly SourcedCheckpoint[] } = {},
): Promise<ExportVerification> {
  const iterator = toAsyncIterator(lines)
  const first = await iterator.next()
  const header = asLine(first.value)
  const fail = (
    message: string,
    keyFromExport = options.publicKey === undefined,
  ): ExportVerification => ({
    ok: false,
    checked: 0,
    checkpointsVerified: 0,
    signedSize: 0,
    keyFromExport,
    firstBreak: { reason: 'truncated', seq: 0, eventId: null, message },
  })
  if (first.done === true || header?.kind !== 'header' || header.format !== EXPORT_FORMAT) {
    return fail(`not a Strongroom audit export: the first line is not a ${EXPORT_FORMAT} header`)
  }
  const headerKey =
    typeof header.public_key === 'string' ? parsePublicKey(header.public_key) : undefined
  const publicKey = options.publicKey ?? headerKey
  if (publicKey === undefined)
    return fail('the export header does not carry a valid Ed25519 public key')

  const checkpoints: SourcedCheckpoint[] = [...(options.outside ?? [])]
  let pendingEvent: Line | undefined
  let ended: Line | undefined
  for (;;) {
    const next = await iterator.next()
    if (next.done === true) break
    const line = asLine(next.value)
    if (line?.kind === 'checkpoint') {
      const checkpoint = parseCheckpointJson(line)
      if (checkpoint === undefined) return fail('a checkpoint line of the export is malformed')
      checkpoints.push({ checkpoint, source: 'export' })
      continue
    }
    if (line?.kind === 'end') ended = line
    else pendingEvent = line ?? {}
    break
  }

  let count = 0
  async function* events(): AsyncGenerator<SealedEvent> {
    let line = pendingEvent
    while (line !== undefined) {
      count += 1
      yield toSealedEvent(line)
      const next = await iterator.next()
      if (next.done === true) return
      const parsed = asLine(next.value) ?? {}
      if (parsed.kind === 'end') {
        ended = parsed
        return
      }
      line = parsed
    }
  }
  const result = await verifyLog(publicKey, events(), checkpoints)
  const keyFromExport = options.publicKey === undefined
  if (!result.ok) return { ...result, keyFromExport }
  const endBreak = (message: string): ExportVerification => ({
    ...result,
    ok: false,
    keyFromExport,
    firstBreak: { reason: 'truncated', seq: count + 1, eventId: null, message },
  })
  if (ended === undefined) {
    return endBreak(
      `the export ends after ${count} event(s) without its end line: it was cut short`,
    )
  }
  if (ended.events !== count || header.tree_size !== count) {
    return endBreak(
      `the export announces ${String(header.tree_size)} event(s) but holds ${count}: events were removed or added`,
    )
  }
  if (result.signedSize < count) {
    return endBreak(
      `events ${result.signedSize + 1}–${count} are not covered by any signed checkpoint of the export`,
    )
  }
  return { ...result, keyFromExport }
}

const asLine = (value: unknown): Line | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Line) : undefined

function toAsyncIterator(
  lines: AsyncIterable<unknown> | Iterable<unknown>,
): AsyncIterator<unknown> {
  return Symbol.asyncIterator in lines
    ? lines[Symbol.asyncIterator]()
    : (async function* () {
        yield* lines
      })()
}

/** Turns an exported event back into the fields that were hashed; malformed ones fail to match. */
function toSealedEvent(e: Line): SealedEvent {
  const text = (value: unknown): string => (typeof value === 'string' ? value : '')
  const nullableText = (value: unknown): string | null => (typeof value === 'string' ? value : null)
  return {
    seq: typeof e.seq === 'number' ? e.seq : 0,
    event_id: text(e.id),
    occurred_at: text(e.occurred_at),
    type: text(e.type),
    actor_id: typeof e.actor_id === 'number' ? e.actor_id : null,
    target_type: nullableText(e.target_type),
    target_id: nullableText(e.target_id),
    outcome: text(e.outcome),
    client_ip: text(e.client_ip),
    user_agent: text(e.user_agent),
    details: canonicalDetails(
      typeof e.details === 'object' && e.details !== null
        ? (e.details as Record<string, string | number | boolean | null>)
        : {},
    ),
    leaf_hash: text(e.leaf_hash),
  }
}
