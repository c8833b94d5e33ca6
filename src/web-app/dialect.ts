import type { AppError, ErrorCode } from '../errors.js'
import type { Rendered } from '../http/dialect.js'

const STATUS: Readonly<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
}

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
