import type { AppError, AuthFailure, ValidationIssue } from '../../errors.js'
import type { Rendered } from '../../http/dialect.js'

/**
 * The Lock surface's words: Flask with flask-jwt-extended and flask-limiter (docs/surfaces/3-lock.md).
 * Errors are `{"msg": …}`; the rate limiter's is `{"error": "ratelimit exceeded"}`.
 */

/** flask-jwt-extended's answers to each kind of bad token. */
const AUTH: Record<AuthFailure, { status: number; msg: string }> = {
  missing: { status: 401, msg: 'Missing Authorization Header' },
  'bad-scheme': {
    status: 401,
    msg: "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'",
  },
  malformed: { status: 422, msg: 'Not enough segments' },
  invalid: { status: 422, msg: 'Signature verification failed' },
  expired: { status: 401, msg: 'Token has expired' },
  revoked: { status: 401, msg: 'Token has been revoked' },
  'user-gone': { status: 400, msg: 'There is an error with this token' },
}

const msg = (status: number, text: string): Rendered => ({ status, body: { msg: text } })

/**
 * Schema failures in the original's sentences: a body that is not a JSON object is "Invalid JSON
 * format"; absent (or empty) keys are listed in one "Missing a, b" in the documented order;
 * anything else names the first offending key. "Weak password" comes from the service, after the
 * username is known to be free.
 */
/** The order the original lists missing keys in, whichever rule found them missing. */
const KEY_ORDER = ['username', 'password', 'phone', 'address', 'unlocking-method']

export function validationMessage(issues: readonly ValidationIssue[]): string {
  if (issues.some((issue) => issue.path.length === 0 && issue.kind !== 'missing')) {
    return 'Invalid JSON format'
  }
  const field = (issue: ValidationIssue): string => issue.path[0] ?? ''
  // Every key's shortest length is 1, so too short means empty: as missing as absent.
  const missing = issues.filter((issue) => issue.kind === 'missing' || issue.kind === 'too_short')
  if (missing.length > 0) {
    const named = [...new Set(missing.map(field))]
    const rank = (key: string): number => KEY_ORDER.indexOf(key) + 1 || KEY_ORDER.length + 1
    return `Missing ${named.sort((a, b) => rank(a) - rank(b)).join(', ')}`
  }
  const first = issues[0]
  return first === undefined ? 'Invalid JSON format' : `Invalid ${field(first)}`
}

export function renderLock(error: AppError): Rendered {
  switch (error.code) {
    case 'VALIDATION_FAILED':
      if (error.details.subject === 'weak-password') return msg(400, 'Weak password')
      return msg(400, validationMessage(error.details.issues ?? []))
    case 'BAD_REQUEST':
    case 'UNSUPPORTED_MEDIA_TYPE':
      return msg(400, 'Invalid JSON format')
    case 'UNAUTHORIZED': {
      if (error.details.subject === 'credentials') return msg(401, 'Invalid username or password')
      const { status, msg: text } = AUTH[error.details.authFailure ?? 'invalid']
      return msg(status, text)
    }
    case 'FORBIDDEN':
      return msg(403, 'Administrators only')
    case 'NOT_FOUND':
      return msg(404, 'Not Found')
    case 'METHOD_NOT_ALLOWED':
      return msg(405, 'Method Not Allowed')
    case 'CONFLICT':
      return msg(400, 'User already exists')
    case 'PAYLOAD_TOO_LARGE':
      return msg(413, 'Request body too large')
    case 'RATE_LIMITED':
      return { status: 429, body: { error: 'ratelimit exceeded' } }
    case 'INTERNAL':
      return msg(500, 'Internal Server Error')
  }
}
