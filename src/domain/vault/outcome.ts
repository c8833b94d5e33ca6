import type { AppError } from '../../errors.js'
import type { Transact } from '../../db/transaction.js'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { AuditDetails } from '../audit/types.js'

/**
 * What a vault transaction decided. A refusal is a value, not a throw, so the transaction that
 * recorded the refusal on the audit chain commits it; the error is thrown after the commit.
 * A refusal that carries `denial` is one the audit chain must hear of (see audited-step.ts).
 */
export type Outcome<T> =
  { ok: true; value: T } | { ok: false; error: AppError; denial?: AuditDetails }

export const done = <T>(value: T): Outcome<T> => ({ ok: true, value })
export const refused = (error: AppError): Outcome<never> => ({ ok: false, error })
/** A refusal recorded as a 'denied' event with these details (a missing row is merely refused). */
export const deny = (error: AppError, details: AuditDetails): Outcome<never> => ({
  ok: false,
  error,
  denial: details,
})

/** Runs `work` in one transaction and throws its refusal, if any, once the transaction committed. */
export async function decide<T>(
  transact: Transact,
  work: (trx: Kysely<Database>) => Promise<Outcome<T>>,
): Promise<T> {
  const outcome = await transact(work)
  if (!outcome.ok) throw outcome.error
  return outcome.value
}
