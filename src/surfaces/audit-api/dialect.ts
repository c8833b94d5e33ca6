import type { AppError } from '../../errors.js'
import type { Rendered } from '../../http/dialect.js'
import { plainAnswer } from '../../http/plain-answer.js'

/** The fixed sentences of its neighbours under /v1, each at its code's usual status. */
const PLAIN = {
  FORBIDDEN: 'Administrators only',
  NOT_FOUND: 'The requested resource does not exist',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  CONFLICT: 'Conflict',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'The server encountered a problem',
} as const

/**
 * The audit API lives under /v1 and speaks like its neighbours there (docs/surfaces/2-secrets-v1.md):
 * `{"error": "…"}`, and `{"error": {"field": "…"}}` for invalid input.
 */
export function renderAuditApi(error: AppError): Rendered {
  const body = (message: string | Record<string, string>): { error: typeof message } => ({
    error: message,
  })
  switch (error.code) {
    case 'VALIDATION_FAILED': {
      const fields: Record<string, string> = {}
      for (const issue of error.details.issues ?? []) {
        fields[issue.path.join('.') || issue.location] ??= issue.message
      }
      return { status: 422, body: body(fields) }
    }
    case 'BAD_REQUEST':
    case 'UNSUPPORTED_MEDIA_TYPE':
      return { status: 400, body: body('The request could not be understood') }
    case 'UNAUTHORIZED':
      return {
        status: 401,
        body: body(
          error.details.authFailure === 'missing'
            ? 'Authorization required'
            : 'Auth token is invalid',
        ),
        headers: { 'WWW-Authenticate': 'Bearer' },
      }
    default:
      return plainAnswer('error', PLAIN, error.code)
  }
}
