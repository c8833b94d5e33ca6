import type { AppError, ValidationIssue } from '../errors.js'
import type { Rendered } from './dialect.js'

/**
 * The FastAPI dialect shared by the root, the Secret Storage surface and the Generate surface:
 * `{"detail": "…"}` for errors, `{"detail": [{type, loc, msg}]}` for invalid input (422). The
 * input itself is never echoed back: it may be a password.
 */
export function fastApiValidationDetail(
  issues: readonly ValidationIssue[],
): { type: string; loc: (string | number)[]; msg: string }[] {
  return issues.map((issue) => ({
    type: issue.kind,
    loc: [issue.location, ...issue.path],
    msg: issue.message,
  }))
}

export function renderFastApi(error: AppError): Rendered {
  switch (error.code) {
    case 'VALIDATION_FAILED':
      return { status: 422, body: { detail: fastApiValidationDetail(error.details.issues ?? []) } }
    case 'BAD_REQUEST':
      return error.details.subject === 'json'
        ? {
            status: 422,
            body: { detail: [{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error' }] },
          }
        : { status: 400, body: { detail: 'Bad Request' } }
    case 'UNAUTHORIZED':
      return {
        status: 401,
        body: { detail: 'Not authorized' },
        headers: { 'WWW-Authenticate': 'Bearer' },
      }
    case 'FORBIDDEN':
      return { status: 403, body: { detail: 'Forbidden' } }
    case 'NOT_FOUND':
      return {
        status: 404,
        body: { detail: error.details.subject === 'route' ? 'Not Found' : 'Not found' },
      }
    case 'METHOD_NOT_ALLOWED':
      return { status: 405, body: { detail: 'Method Not Allowed' } }
    case 'CONFLICT':
      return { status: 409, body: { detail: 'Conflict' } }
    case 'PAYLOAD_TOO_LARGE':
      return { status: 413, body: { detail: 'Request body too large' } }
    case 'UNSUPPORTED_MEDIA_TYPE':
      return { status: 415, body: { detail: 'Unsupported media type' } }
    case 'RATE_LIMITED':
      return { status: 429, body: { detail: 'Too many attempts' } }
    case 'INTERNAL':
      return { status: 500, body: { detail: 'Internal Server Error' } }
  }
}
