import type { AppError } from '../../errors.js'
import type { Rendered } from '../../http/dialect.js'
import { renderFastApi } from '../../http/fastapi-dialect.js'

/** The one answer for every key that opens nothing: unknown, used, expired or malformed. */
export const SECRET_NOT_FOUND: Rendered = { status: 404, body: { detail: 'Secret not found' } }

/**
 * True for a "not found" about a one-time secret, including a path key that failed its pattern:
 * a malformed key is just another key that opens nothing (docs/surfaces/4-one-time.md, 5-generate.md), never a 422.
 */
export function isMissingSecret(error: AppError): boolean {
  if (error.code === 'NOT_FOUND') return error.details.subject === 'one-time-secret'
  return (
    error.code === 'VALIDATION_FAILED' &&
    (error.details.issues ?? []).some((issue) => issue.location === 'params')
  )
}

/** The One-time surface's words (docs/surfaces/4-one-time.md), in FastAPI's dialect. */
export function renderOneTimeApi(error: AppError): Rendered {
  if (isMissingSecret(error)) return SECRET_NOT_FOUND
  if (error.code === 'UNAUTHORIZED' && error.details.subject === 'passphrase') {
    return { status: 401, body: { detail: 'Incorrect passphrase' } }
  }
  return renderFastApi(error)
}
