import type { AppError, ErrorCode } from '../errors.js'
import type { Rendered } from '../http/dialect.js'
import { USUAL_STATUS } from '../http/plain-answer.js'

/** Each code's usual status, but invalid input is a plain 400 for the web app's pages. */
const STATUS: Readonly<Record<ErrorCode, number>> = { ...USUAL_STATUS, VALIDATION_FAILED: 400 }

/**
 * How the web app's own API (`/app/api/*`) words an error: `{"error": "<code>"}`, a stable
 * snake_case code the page turns into a sentence, plus `retry_after` when throttled and the
 * failing fields when validation failed. Nothing else of the request is echoed.
 */
export function renderWebApp(error: AppError): Rendered {
  const body: Record<string, unknown> = { error: error.code.toLowerCase() }
  if (error.details.subject !== undefined) body.subject = error.details.subject
  if (error.details.retryAfterSeconds !== undefined) {
    body.retry_after = error.details.retryAfterSeconds
  }
  if (error.details.issues !== undefined) {
    body.fields = [...new Set(error.details.issues.map((issue) => issue.path.join('.')))]
  }
  return { status: STATUS[error.code], body }
}
