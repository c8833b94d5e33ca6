import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import type { Dialect } from '../../db/connect.js'
import type { Database } from '../../db/schema.js'
import type { OneTimeKind } from '../../db/tables/one-time.js'
import type { Transact } from '../../db/transaction.js'
import { AppError, forbidden, notFound, unauthorized } from '../../errors.js'
import type { AuditLog } from '../audit/audit-log.js'
import { systemContext } from '../audit/types.js'
import type { AuditReader } from '../audit/audit-reader.js'
import { listOneTimeEvents } from './event-page.js'
import type { EventPage, EventPageQuery } from './event-page.js'
import { canonicalLinkKey } from './link-keys.js'
import type { LinkSealing } from './link-sealing.js'
import {
  consumeById,
  deleteExpiredBatch,
  destroySpent,
  insertOneTimeSecret,
  secretByLink,
  truncateWal,
} from './one-time-repo.js'
import type { ReservedRow, UsageRow } from './one-time-repo.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'
import type { OneTimeQuota } from './quota.js'

export type OneTimeService = ReturnType<typeof createOneTimeService>

export type CreateOneTimeInput = (
  | { kind: 'api'; secret: string; passphrase?: string | null; ttlSeconds?: number | null }
  | { kind: 'generate'; secret: string; passphrase: string; ttlSeconds?: number | null }
) & {
  /** Who the reveal page says it is from (the web app, when signed in); the APIs never set it. */
  sender?: string
}

/** A counted reveal: the secret, or how many wrong passphrases are still allowed. */
export type RevealOutcome =
  { kind: 'secret'; secret: string } | { kind: 'wrong-passphrase'; attemptsLeft: number }

const SWEEP_BATCH = 100

/** Every unknown, used, expired or malformed key is the same answer (docs/surfaces/4-one-time.md, 5-generate.md). */
const secretNotFound = (): AppError => notFound('one-time-secret')
const incorrectPassphrase = (): AppError =>
  new AppError('UNAUTHORIZED', 'Incorrect passphrase', {
    subject: 'passphrase',
    authFailure: 'invalid',
  })

/** Audit target type: per kind, so each surface lists only its own secrets' events. */
export const targetTypeFor = (kind: OneTimeKind): string => `one-time-${kind}`

const utf8 = (buffer: Buffer): string => {
  const text = buffer.toString('utf8')
  buffer.fill(0)
  return text
}

/**
 * Burn-after-reading secrets for surfaces 4 and 5 (docs/surfaces/4-one-time.md, 5-generate.md). Who gets a secret is
 * decided by one guarded statement in the repo; passphrases are judged (argon2id, in
 * `link-sealing`) between statements, never inside a transaction; and every audit event is
 * written in the same transaction as the change it records, so a secret never reaches a client
 * unrecorded.
 */
export function createOneTimeService(deps: {
  db: Kysely<Database>
  dialect: Dialect
  transact: Transact
  clock: Clock
  sealing: LinkSealing
  quota: OneTimeQuota
  audit: Pick<AuditLog, 'append' | 'record'>
  auditReader: Pick<AuditReader, 'page'>
  limits: { maxTtlSeconds: number; maxAttempts: number }
  /** EVENTS_PUBLIC: anyone may list one-time events. */
  eventsPublic: boolean
}) {
  const { db, dialect, transact, clock, sealing, quota, audit, auditReader, limits, eventsPublic } =
    deps
  const nowIso = (): string => clock.now().toISOString()
  const { lookupHashOf } = sealing

  const event = (
    trx: Kysely<Database>,
    type: 'one-time.create' | 'one-time.read' | 'one-time.delete' | 'one-time.expire',
    kind: OneTimeKind,
    id: number,
    context: RequestContext,
    details?: Record<string, string | number | boolean>,
  ): Promise<void> =>
    audit.append(trx, {
      type,
      outcome: 'success',
      actorId: null,
      target: { type: targetTypeFor(kind), id },
      ...(details === undefined ? {} : { details }),
      context,
    })

  /** A removed secret gives its bytes back to the quotas and is on the record, in its transaction. */
  const recordRemoval = async (
    trx: Kysely<Database>,
    type: 'one-time.read' | 'one-time.delete' | 'one-time.expire',
    kind: OneTimeKind,
    row: UsageRow,
    context: RequestContext,
  ): Promise<void> => {
    await quota.release(trx, [row])
    await event(trx, type, kind, row.id, context)
  }

  /** A link's canonical key and lookup hash; a malformed key opens nothing, like any other. */
  const linkOf = (kind: OneTimeKind, rawKey: string): { secretKey: string; lookupHash: string } => {
    const secretKey = canonicalLinkKey(kind, rawKey)
    if (secretKey === undefined) throw secretNotFound()
    return { secretKey, lookupHash: lookupHashOf(kind, secretKey) }
  }

  /**
   * Where every miss ends: an expired row found by a reader goes at once, its expiry on the
   * record, and the answer is the one "not found" of an unknown key.
   */
  const notFoundAfterExpiry = async (
    kind: OneTimeKind,
    lookupHash: string,
    context: RequestContext,
  ): Promise<never> => {
    const now = nowIso()
    if (await secretByLink(db, lookupHash, kind, now).isExpired()) {
      await transact(async (trx) => {
        const row = await secretByLink(trx, lookupHash, kind, now).deleteExpired()
        if (row !== undefined) await recordRemoval(trx, 'one-time.expire', kind, row, context)
      })
    }
    throw secretNotFound()
  }

  /** Records a wrong passphrase; the attempt that spent the budget destroys the secret. */
  const spendAttempt = async (
    kind: OneTimeKind,
    row: ReservedRow,
    action: 'read' | 'delete',
    context: RequestContext,
  ): Promise<void> => {
    await transact(async (trx) => {
      const target = { type: targetTypeFor(kind), id: row.id }
      await audit.append(trx, {
        type: 'one-time.passphrase',
        outcome: 'failure',
        actorId: null,
        target,
        details: { action, attempts_left: row.attempts_left },
        context,
      })
      const destroyed = row.attempts_left <= 0 ? await destroySpent(trx, row.id) : undefined
      if (destroyed !== undefined) {
        await quota.release(trx, [destroyed])
        await audit.append(trx, {
          type: 'one-time.destroy',
          outcome: 'success',
          actorId: null,
          target,
          details: { reason: 'attempts-spent' },
          context,
        })
      }
    })
  }

  /** Deletes by id after a passphrase was verified; false when another caller got there first. */
  const consumeVerified = async (
    kind: OneTimeKind,
    row: ReservedRow,
    type: 'one-time.read' | 'one-time.delete',
    context: RequestContext,
  ): Promise<boolean> =>
    transact(async (trx) => {
      const removed = await consumeById(trx, row.id, nowIso())
      if (removed === undefined) return false
      await recordRemoval(trx, type, kind, removed, context)
      return true
    })

  const revealCounted = async (
    rawKey: string,
    passphrase: string,
    context: RequestContext,
  ): Promise<RevealOutcome> => {
    const { secretKey, lookupHash } = linkOf('generate', rawKey)
    const row = await secretByLink(db, lookupHash, 'generate', nowIso()).reserveAttempt()
    if (row === undefined) return notFoundAfterExpiry('generate', lookupHash, context)

    const opened = await sealing.openGenerate(secretKey, lookupHash, row, passphrase)
    if (opened === undefined) {
      await spendAttempt('generate', row, 'read', context)
      return { kind: 'wrong-passphrase', attemptsLeft: row.attempts_left }
    }
    if (!(await consumeVerified('generate', row, 'one-time.read', context))) {
      opened.fill(0)
      return notFoundAfterExpiry('generate', lookupHash, context)
    }
    return { kind: 'secret', secret: utf8(opened) }
  }

  return {
    /**
     * Seals a new secret; the link key is returned once and never stored. Its bytes count
     * against the quota of `client` (the per-client key of the caller) and of the store.
     */
    async create(
      input: CreateOneTimeInput,
      context: RequestContext,
      client: string,
    ): Promise<{ secretKey: string; expiresAt: string }> {
      const { kind } = input
      // An empty passphrase on surface 4 protects nothing: it is the same as none.
      const passphrase =
        input.kind === 'generate'
          ? input.passphrase
          : input.passphrase === '' || input.passphrase === null
            ? undefined
            : input.passphrase
      const { secretKey, lookupHash, sealed, salt, passphraseCheck } = await sealing.seal(
        kind,
        input.secret,
        passphrase,
      )

      const now = clock.now()
      const ttlSeconds =
        input.ttlSeconds === undefined || input.ttlSeconds === null || input.ttlSeconds <= 0
          ? limits.maxTtlSeconds
          : Math.min(input.ttlSeconds, limits.maxTtlSeconds)
      const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString()
      const clientHash = quota.clientHashOf(client)
      await transact(async (trx) => {
        const share = await quota.charge(trx, clientHash, sealed.length, now)
        const id = await insertOneTimeSecret(trx, {
          lookup_hash: lookupHash,
          kind,
          sealed,
          salt,
          passphrase_check: passphraseCheck,
          attempts_left: limits.maxAttempts,
          expires_at: expiresAt,
          created_at: now.toISOString(),
          size_bytes: sealed.length,
          client_hash: clientHash,
          quota_share: share,
          sender: input.sender ?? null,
        })
        await event(trx, 'one-time.create', kind, id, context, {
          passphrase: passphrase !== undefined,
          ttl_seconds: ttlSeconds,
        })
      })
      return { secretKey, expiresAt }
    },

    /**
     * The web app's look before reading (docs/web-app.md): whether a link is live and who made
     * it, without opening, burning or spending anything. Unknown, used, expired or malformed is
     * "not found", as everywhere.
     */
    async about(rawKey: string): Promise<{ sender: string | null }> {
      for (const kind of ['api', 'generate'] as const) {
        const secretKey = canonicalLinkKey(kind, rawKey)
        if (secretKey === undefined) continue
        const link = secretByLink(db, lookupHashOf(kind, secretKey), kind, nowIso())
        const row = await link.findSender()
        if (row !== undefined) return { sender: row.sender }
      }
      throw secretNotFound()
    },

    /** Surface 4's read: the link alone opens it, once (its passphrase guards deletion). */
    async read(rawKey: string, context: RequestContext): Promise<string> {
      const { secretKey, lookupHash } = linkOf('api', rawKey)
      const secret = await transact(async (trx) => {
        const row = await secretByLink(trx, lookupHash, 'api', nowIso()).consume()
        if (row === undefined) return undefined
        // Opened before commit: if it cannot be opened, the rollback keeps the secret.
        const opened = sealing.openApi(secretKey, lookupHash, row)
        await recordRemoval(trx, 'one-time.read', 'api', row, context)
        return utf8(opened)
      })
      return secret ?? notFoundAfterExpiry('api', lookupHash, context)
    },

    /**
     * Surface 5's read: link and passphrase. A wrong passphrase leaves the secret in place but
     * spends an attempt; the last attempt destroys it. Every failure is "not found".
     */
    async reveal(rawKey: string, passphrase: string, context: RequestContext): Promise<string> {
      const outcome = await revealCounted(rawKey, passphrase, context)
      if (outcome.kind === 'secret') return outcome.secret
      throw secretNotFound()
    },

    /**
     * The web app's read of a passphrase-protected link (docs/web-app.md): the same rules as
     * `reveal`, but a wrong passphrase is told apart from a missing secret, with the attempts
     * that are left (0: that attempt destroyed it), so a person can see how many tries remain.
     * Unknown, used or expired is still "not found".
     */
    revealCounted,

    /**
     * Surface 4's delete. A secret without a passphrase goes for anyone with the link; one with
     * a passphrase needs it (a missing one is refused without spending an attempt).
     */
    async remove(
      rawKey: string,
      passphrase: string | undefined,
      context: RequestContext,
    ): Promise<void> {
      const { secretKey, lookupHash } = linkOf('api', rawKey)
      const unprotected = await transact(async (trx) => {
        const row = await secretByLink(trx, lookupHash, 'api', nowIso()).deleteUnprotected()
        if (row === undefined) return false
        await recordRemoval(trx, 'one-time.delete', 'api', row, context)
        return true
      })
      if (unprotected) return

      if (passphrase === undefined || passphrase === '') {
        const id = await secretByLink(db, lookupHash, 'api', nowIso()).findId()
        if (id !== undefined) {
          await audit.record({
            type: 'one-time.delete',
            outcome: 'denied',
            actorId: null,
            target: { type: targetTypeFor('api'), id },
            details: { reason: 'passphrase-missing' },
            context,
          })
          throw incorrectPassphrase()
        }
        return notFoundAfterExpiry('api', lookupHash, context)
      }

      const row = await secretByLink(db, lookupHash, 'api', nowIso()).reserveAttempt()
      if (row === undefined) return notFoundAfterExpiry('api', lookupHash, context)
      const matches = await sealing.matchesPassphrase(secretKey, row, passphrase)
      if (!matches) {
        await spendAttempt('api', row, 'delete', context)
        throw incorrectPassphrase()
      }
      if (!(await consumeVerified('api', row, 'one-time.delete', context))) {
        return notFoundAfterExpiry('api', lookupHash, context)
      }
    },

    /**
     * `GET /api/event`: surface 4's create/read/delete events, oldest first; the view is audited.
     * The events hold strangers' addresses and user agents, so only administrators may list them,
     * unless the operator made them public (EVENTS_PUBLIC).
     */
    eventPage: async (
      query: EventPageQuery,
      viewer: Principal | null,
      context: RequestContext,
    ): Promise<EventPage> => {
      if (!eventsPublic) {
        if (viewer === null) throw unauthorized('missing')
        if (viewer.role !== 'admin') throw forbidden('admin')
      }
      const page = await listOneTimeEvents(auditReader, targetTypeFor('api'), query)
      // The view is on the record before the page leaves, as every read is.
      await audit.record({
        type: 'one-time.events',
        outcome: 'success',
        actorId: viewer?.userId ?? null,
        details: { page: query.page, page_size: query.pageSize },
        context,
      })
      return page
    },

    /**
     * Removes expired rows (reads never needed this: expiry is checked at read time) and, on
     * SQLite, checkpoints the WAL so burnt ciphertext leaves the disk. Safe on every node at once:
     * each row is removed, and its expiry recorded, by exactly one sweeper.
     */
    async sweep(): Promise<{ expired: number }> {
      const context = systemContext('strongroom-sweeper')
      const now = nowIso()
      let expired = 0
      for (;;) {
        const removed = await transact(async (trx) => {
          const rows = await deleteExpiredBatch(trx, now, SWEEP_BATCH)
          await quota.release(trx, rows)
          for (const row of rows) await event(trx, 'one-time.expire', row.kind, row.id, context)
          return rows.length
        })
        expired += removed
        if (removed < SWEEP_BATCH) break
      }
      await quota.forgetIdleClients(db)
      if (dialect === 'sqlite') await truncateWal(db)
      return { expired }
    },
  }
}
