import type { ErrorCode } from '../errors.js'
import type { Rendered } from './dialect.js'

/** The status HTTP gives each code, wherever a surface's contract does not answer otherwise. */
export const USUAL_STATUS: Readonly<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 422,
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
 * A dialect's answer to a code it words with one fixed sentence: `{"<key>": sentence}` at the
 * code's usual status. Each dialect keeps its own sentences (they are its contract); only the
 * shape of the answer is common.
 */
export function plainAnswer<C extends ErrorCode>(
  key: string,
  sentences: Readonly<Record<C, string>>,
  code: C,
): Rendered {
  return { status: USUAL_STATUS[code], body: { [key]: sentences[code] } }
}
