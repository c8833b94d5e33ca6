import type { AppError, ValidationIssue } from '../errors.js'
import type { Rendered } from './dialect.js'
import { plainAnswer } from './plain-answer.js'

/** The FastAPI dialect's fixed sentences, each at its code's usual status. */
const PLAIN = {
  FORBIDDEN: 'Forbidden',
  METHOD_NOT_ALLOWED: 'Method Not Allowed',
  CONFLICT: 'Conflict',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  RATE_LIMITED: 'Too many attempts',
  INTERNAL: 'Internal Server Error',
} as const

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
    case 'NOT_FOUND':
      return {
        status: 404,
        body: { detail: error.details.subject === 'route' ? 'Not Found' : 'Not found' },
      }
    default:
      return plainAnswer('detail', PLAIN, error.code)
  }
}
