import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AuditDetails, AuditType } from '../audit/types.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'
import { decide, done } from './outcome.js'
import type { Outcome } from './outcome.js'
import { recordVaultEvent } from './vault-events.js'
import type { VaultEvent } from './vault-events.js'

/** The audit event a step records, whichever way it ends. */
export interface StepEvent {
  type: AuditType
  principal: Principal
  target: VaultEvent['target']
  context: RequestContext
  /** Details every event of the step starts with (a share names its grantee). */
  about?: AuditDetails
}

/** What a step's action did: its result, and the details and outcome of the event that closes it. */
export interface Acted<T> {
  value: T
  details?: AuditDetails | undefined
  /** 'failure' when the action did nothing, yet answers as if it had (see group-service addMember). */
  outcome?: 'success' | 'failure'
}

/** The action succeeded with `value`; its event carries `details`. */
export const acted = <T>(value: T, details?: AuditDetails): Outcome<Acted<T>> =>
  done({ value, details })

/** A guarded action on a subject, audited: see `createAuditedStep`. */
export type AuditedStep = <S, T>(
  event: StepEvent,
  guard: (trx: Kysely<Database>) => Promise<Outcome<S>>,
  act: (trx: Kysely<Database>, subject: S) => Promise<Outcome<Acted<T>>>,
) => Promise<T>

/**
 * The one shape of a guarded vault route. In one transaction `guard` finds the subject and checks
 * the caller's right to it, `act` does the work, and the audit chain hears how it ended: a refusal
 * that carries a denial as a 'denied' event, an action as its closing event. A refusal is thrown
 * only once the transaction, and the denied event in it, committed.
 */
export function createAuditedStep(deps: {
  transact: Transact
  audit: Pick<AuditLog, 'append'>
}): AuditedStep {
  const { transact, audit } = deps
  return (event, guard, act) =>
    decide(transact, async (trx) => {
      const record = (outcome: VaultEvent['outcome'], details: AuditDetails | undefined) =>
        recordVaultEvent(
          audit,
          trx,
          {
            type: event.type,
            outcome,
            principal: event.principal,
            target: event.target,
            details: event.about === undefined ? details : { ...event.about, ...details },
          },
          event.context,
        )
      const allowed = await guard(trx)
      const outcome = allowed.ok ? await act(trx, allowed.value) : allowed
      if (!outcome.ok) {
        if (outcome.denial !== undefined) await record('denied', outcome.denial)
        return outcome
      }
      await record(outcome.value.outcome ?? 'success', outcome.value.details)
      return done(outcome.value.value)
    })
}
