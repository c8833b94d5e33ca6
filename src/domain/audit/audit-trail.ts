import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import { AppError, forbidden } from '../../errors.js'
import type { Principal } from '../accounts/views.js'
import { canonicalDetails, verifyChain } from './chain.js'
import type { ChainRow, VerifyResult } from './chain.js'
import type { AuditLog } from './audit-log.js'
import { findAuditEvents } from './query-repo.js'
import { streamAuditEvents } from './repo.js'
import type { RequestContext } from './types.js'
import { toAuditEventView } from './views.js'
import type { AuditEventView } from './views.js'

export interface AuditListRequest {
  types?: readonly string[]
  actorId?: number
  since?: string
  until?: string
  cursor?: string
  limit: number
}

export interface AuditPage {
  events: AuditEventView[]
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null
}

export type AuditTrail = ReturnType<typeof createAuditTrail>

// Cursors are opaque to clients: a version tag and the last sequence number, base64url.
const encodeCursor = (seq: number): string => Buffer.from(`v1:${seq}`).toString('base64url')
function decodeCursor(cursor: string): number {
  const match = /^v1:([1-9]\d{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (match?.[1] === undefined) {
    throw new AppError('VALIDATION_FAILED', 'Invalid cursor', {
      issues: [{ location: 'query', path: ['cursor'], kind: 'format', message: 'Invalid cursor' }],
    })
  }
  return Number(match[1])
}

/**
 * The audit log as a product (the Lock/audit issue): a filtered, paged view for administrators
 * and for each user over their own events; a streaming export that carries every hashed field;
 * and verification of such an export away from the database. Reading the log is itself audited.
 */
export function createAuditTrail(deps: {
  db: Kysely<Database>
  audit: Pick<AuditLog, 'record'>
  chainKey: Buffer
}) {
  const { db, audit, chainKey } = deps

  return {
    /**
     * Newest first. Administrators see every event and may filter by actor; anyone else sees
     * only the events they caused, and asking for someone else's is FORBIDDEN.
     */
    async list(
      viewer: Principal,
      request: AuditListRequest,
      context: RequestContext,
    ): Promise<AuditPage> {
      const isAdmin = viewer.role === 'admin'
      if (!isAdmin && request.actorId !== undefined && request.actorId !== viewer.userId) {
        throw forbidden('audit')
      }
      const rows = await findAuditEvents(db, {
        ...(request.types === undefined ? {} : { types: request.types }),
        ...(isAdmin
          ? request.actorId === undefined
            ? {}
            : { actorId: request.actorId }
          : { actorId: viewer.userId }),
        ...(request.since === undefined ? {} : { since: request.since }),
        ...(request.until === undefined ? {} : { until: request.until }),
        ...(request.cursor === undefined ? {} : { beforeSeq: decodeCursor(request.cursor) }),
        limit: request.limit + 1,
      })
      const page = rows.slice(0, request.limit)
      const last = page.at(-1)
      if (isAdmin) {
        await audit.record({
          type: 'audit.view',
          outcome: 'success',
          actorId: viewer.userId,
          details: { events: page.length },
          context,
        })
      }
      return {
        events: page.map(toAuditEventView),
        nextCursor:
          rows.length > request.limit && last !== undefined ? encodeCursor(last.seq) : null,
      }
    },

    /**
     * Every event, oldest first, for administrators: what `strongroom audit verify --from-export`
     * checks. The export itself is recorded first, so it appears in the exported chain.
     */
    async export(
      viewer: Principal,
      context: RequestContext,
    ): Promise<AsyncIterable<AuditEventView>> {
      if (viewer.role !== 'admin') throw forbidden('audit')
      await audit.record({
        type: 'audit.export',
        outcome: 'success',
        actorId: viewer.userId,
        context,
      })
      return (async function* () {
        for await (const row of streamAuditEvents(db)) yield toAuditEventView(row)
      })()
    },

    /** Verifies exported events (as parsed from NDJSON) with this server's chain key. */
    verifyExport: (events: AsyncIterable<unknown> | Iterable<unknown>): Promise<VerifyResult> =>
      verifyExportedEvents(chainKey, events),
  }
}

/**
 * Verifies events as exported by `GET /v1/audit/export`, away from the database: only the chain
 * key is needed. An export cut short at the end cannot be told from a shorter log; anything else
 * (an event edited, removed, inserted or moved) is named.
 */
export function verifyExportedEvents(
  chainKey: Buffer,
  events: AsyncIterable<unknown> | Iterable<unknown>,
): Promise<VerifyResult> {
  return verifyChain(chainKey, toChainRows(events))
}

/** Turns exported lines back into the rows that were hashed; malformed lines become rows that fail. */
async function* toChainRows(
  events: AsyncIterable<unknown> | Iterable<unknown>,
): AsyncGenerator<ChainRow> {
  for await (const event of events) {
    const e = (typeof event === 'object' && event !== null ? event : {}) as Partial<
      Record<keyof AuditEventView, unknown>
    >
    const text = (value: unknown): string => (typeof value === 'string' ? value : '')
    const nullableText = (value: unknown): string | null =>
      typeof value === 'string' ? value : null
    yield {
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
      prev_hash: text(e.prev_hash),
      hash: text(e.hash),
    }
  }
}
