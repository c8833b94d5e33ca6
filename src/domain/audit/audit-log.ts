import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import { randomId } from '../../crypto/random.js'
import type { Database } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import { canonicalDetails, hashEvent, verifyChain } from './chain.js'
import type { VerifyResult } from './chain.js'
import { advanceHead, findHead, insertAuditEvent, setHeadHash, streamAuditEvents } from './repo.js'
import type { AuditEvent } from './types.js'

export interface AuditLog {
  /**
   * Appends an event inside the caller's transaction, so the event exists exactly when the
   * action it records does (a rolled-back action leaves no event, a committed one can't lack it).
   */
  append(trx: Kysely<Database>, event: AuditEvent): Promise<void>
  /** Appends an event in its own transaction: for outcomes with nothing else to commit (a failed login). */
  record(event: AuditEvent): Promise<void>
  /** Walks the whole chain in the store and names the first broken link. */
  verify(): Promise<VerifyResult>
}

/** Longest user agent kept; anything longer is cut, not rejected. */
const MAX_USER_AGENT_LENGTH = 512

export function createAuditLog(deps: {
  db: Kysely<Database>
  transact: Transact
  clock: Clock
  chainKey: Buffer
}): AuditLog {
  const { db, transact, clock, chainKey } = deps

  const append = async (trx: Kysely<Database>, event: AuditEvent): Promise<void> => {
    const { seq, hash: prevHash } = await advanceHead(trx)
    const unhashed = {
      seq,
      event_id: randomId(),
      occurred_at: clock.now().toISOString(),
      type: event.type,
      actor_id: event.actorId,
      target_type: event.target?.type ?? null,
      target_id: event.target === undefined ? null : String(event.target.id),
      outcome: event.outcome,
      client_ip: event.context.clientIp,
      user_agent: event.context.userAgent.slice(0, MAX_USER_AGENT_LENGTH),
      details: canonicalDetails(event.details),
      prev_hash: prevHash,
    }
    const hash = hashEvent(chainKey, unhashed)
    await insertAuditEvent(trx, { ...unhashed, hash })
    await setHeadHash(trx, hash)
  }

  return {
    append,
    record: (event) => transact((trx) => append(trx, event)),
    async verify() {
      const head = await findHead(db)
      return verifyChain(chainKey, streamAuditEvents(db), head)
    },
  }
}
