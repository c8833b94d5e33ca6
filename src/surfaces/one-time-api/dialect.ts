import type { AppError } from '../../errors.js'
import type { Rendered } from '../../http/dialect.js'
import { renderFastApi } from '../../http/fastapi-dialect.js'
import { SECRET_NOT_FOUND, isMissingSecret } from '../common/one-time.js'

/** The One-time surface's words (docs/surfaces/4-one-time.md), in FastAPI's dialect. */
export function renderOneTimeApi(error: AppError): Rendered {
  if (isMissingSecret(error)) return SECRET_NOT_FOUND
  if (error.code === 'UNAUTHORIZED' && error.details.subject === 'passphrase') {
    return { status: 401, body: { detail: 'Incorrect passphrase' } }
  }
  return renderFastApi(error)
}
