import type { KeyObject } from 'node:crypto'

import type { Kysely } from 'kysely'

import type { Checkpoint, CheckpointSigner } from '../../crypto/checkpoint.js'
import { checkpointJson } from '../../crypto/checkpoint.js'
import { consistencyProof, inclusionProof } from '../../crypto/merkle.js'
import type { Hash } from '../../crypto/merkle.js'
import type { Database } from '../../db/schema.js'
import { AppError, forbidden, invalidInput, notFound } from '../../errors.js'
import type { AuditLog } from './audit-log.js'
import {
  findCheckpoint,
  findCheckpointCovering,
  findCheckpoints,
  findLatestCheckpoint,
} from './checkpoints-repo.js'
import { EXPORT_FORMAT } from './export-format.js'
import type { ExportLine } from './export-format.js'
import { findAuditEvents } from './query-repo.js'
import { findSealedEvent, streamSealedEvents } from './repo.js'
import { findNode } from './sequencer-repo.js'
import { toAuditEventView } from './views.js'
import type { AuditEventView } from './views.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'

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

export interface InclusionProof {
  event: AuditEventView
  /** 0-based leaf index (seq − 1) and the signed tree it is proven against. */
  leafIndex: number
  checkpoint: Checkpoint
  /** Hex hashes of the audit path, RFC 9162 §2.1.3. */
  path: string[]
}

export interface ConsistencyProof {
  first: Checkpoint
  second: Checkpoint
  /** Hex hashes, RFC 9162 §2.1.4. */
  path: string[]
}

export type AuditTrail = ReturnType<typeof createAuditTrail>

// Cursors are opaque to clients: a version tag and the last insertion id, base64url.
const encodeCursor = (id: number): string => Buffer.from(`v2:${id}`).toString('base64url')
function decodeCursor(cursor: string): number {
  const match = /^v2:([1-9]\d{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (match?.[1] === undefined) {
    throw invalidInput('cursor', 'format', 'Invalid cursor')
  }
  return Number(match[1])
}

const hex = (hashes: readonly Hash[]): string[] => hashes.map((h) => h.toString('hex'))

/**
 * The audit log as a product: a filtered, paged view for administrators and for each user over
 * their own events; a streaming export that anyone holding the public key can verify; the
 * latest signed checkpoint; and RFC 9162 inclusion and consistency proofs. Reading the log as
 * an administrator is itself audited.
 */
export function createAuditTrail(deps: {
  db: Kysely<Database>
  audit: Pick<AuditLog, 'record' | 'sequencer'>
  signer: Pick<CheckpointSigner, 'keyId' | 'publicKey'>
  publicKey: KeyObject
}) {
  const { db, audit, signer } = deps

  const readNode = async (level: number, index: number): Promise<Hash> => {
    const hash = await findNode(db, level, index)
    if (hash === undefined) throw new Error(`audit tree node ${level}:${index} is missing`)
    return Buffer.from(hash, 'hex')
  }
  const latestOrNotFound = async (): Promise<Checkpoint> => {
    const latest = await findLatestCheckpoint(db)
    if (latest === undefined) throw notFound('audit-checkpoint')
    return latest
  }

  return {
    /** The key that signs checkpoints: public, for anyone who verifies. */
    publicKey: () => ({
      algorithm: 'Ed25519' as const,
      keyId: signer.keyId,
      key: signer.publicKey,
    }),

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
        ...(request.cursor === undefined ? {} : { beforeId: decodeCursor(request.cursor) }),
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
          rows.length > request.limit && last !== undefined ? encodeCursor(last.id) : null,
      }
    },

    /**
     * The whole sealed log for administrators, as export lines: a header with the public key,
     * every checkpoint, every event oldest first, and an end line. The export is recorded and
     * sealed first, so it appears in what it exports, and the export ends at a signed checkpoint.
     */
    async export(viewer: Principal, context: RequestContext): Promise<AsyncIterable<ExportLine>> {
      if (viewer.role !== 'admin') throw forbidden('audit')
      await audit.record({
        type: 'audit.export',
        outcome: 'success',
        actorId: viewer.userId,
        context,
      })
      await audit.sequencer.flush()
      const latest = await findLatestCheckpoint(db)
      const size = latest?.treeSize ?? 0
      const checkpoints = (await findCheckpoints(db)).filter((c) => c.treeSize <= size)
      return (async function* () {
        yield {
          kind: 'header',
          format: EXPORT_FORMAT,
          public_key: signer.publicKey,
          key_id: signer.keyId,
          tree_size: size,
        }
        for (const c of checkpoints) yield { kind: 'checkpoint', ...checkpointJson(c) }
        for await (const row of streamSealedEvents(db, size)) {
          yield { kind: 'event', ...toAuditEventView(row) }
        }
        yield { kind: 'end', events: size }
      })()
    },

    /** The newest signed tree head: what an auditor keeps outside the store. */
    latestCheckpoint: latestOrNotFound,

    /**
     * Proof that an event is in the log, against the first checkpoint that covers it (or the one
     * of `treeSize`). Users may ask about their own events; administrators about any.
     */
    async inclusion(
      viewer: Principal,
      eventId: string,
      treeSize?: number,
    ): Promise<InclusionProof> {
      const row = await findSealedEvent(db, eventId)
      if (row === undefined || (viewer.role !== 'admin' && row.actor_id !== viewer.userId)) {
        throw notFound('audit-event')
      }
      if (row.seq === null)
        throw new AppError('CONFLICT', 'The event is not sealed yet', { subject: 'audit-unsealed' })
      const checkpoint =
        treeSize === undefined
          ? await findCheckpointCovering(db, row.seq)
          : await findCheckpoint(db, treeSize)
      if (checkpoint === undefined || checkpoint.treeSize < row.seq) {
        throw new AppError('CONFLICT', 'No checkpoint covers the event yet', {
          subject: 'audit-unsealed',
        })
      }
      return {
        event: toAuditEventView(row),
        leafIndex: row.seq - 1,
        checkpoint,
        path: hex(await inclusionProof(readNode, row.seq - 1, checkpoint.treeSize)),
      }
    },

    /** Proof that the checkpoint of `first` events is a prefix of the one of `second`. */
    async consistency(first: number, second?: number): Promise<ConsistencyProof> {
      const to = second === undefined ? await latestOrNotFound() : await findCheckpoint(db, second)
      const from = await findCheckpoint(db, first)
      if (from === undefined || to === undefined) throw notFound('audit-checkpoint')
      if (from.treeSize > to.treeSize) {
        throw invalidInput('first', 'range', 'first must not be larger than second')
      }
      return {
        first: from,
        second: to,
        path:
          from.treeSize === to.treeSize
            ? []
            : hex(await consistencyProof(readNode, from.treeSize, to.treeSize)),
      }
    },
  }
}
