import type { AppError } from '../../errors.js'
import type { Rendered } from '../../http/dialect.js'

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
    case 'FORBIDDEN':
      return { status: 403, body: body('Administrators only') }
    case 'NOT_FOUND':
      return { status: 404, body: body('The requested resource does not exist') }
    case 'METHOD_NOT_ALLOWED':
      return { status: 405, body: body('Method not allowed') }
    case 'CONFLICT':
      return { status: 409, body: body('Conflict') }
    case 'PAYLOAD_TOO_LARGE':
      return { status: 413, body: body('Request body too large') }
    case 'RATE_LIMITED':
      return { status: 429, body: body('Too many requests') }
    case 'INTERNAL':
      return { status: 500, body: body('The server encountered a problem') }
  }
}
