import type { AppError } from '../../errors.js'
import type { Rendered } from '../../http/dialect.js'
import { renderFastApi } from '../../http/fastapi-dialect.js'
import { isMissingSecret, SECRET_NOT_FOUND } from '../common/one-time.js'

/**
 * The Generate surface's words (docs/surfaces/5-generate.md): unknown, used, expired, malformed key and
 * wrong passphrase are all the same 404, so an answer never tells which one it was.
 */
export function renderGenerate(error: AppError): Rendered {
  return isMissingSecret(error) ? SECRET_NOT_FOUND : renderFastApi(error)
}
