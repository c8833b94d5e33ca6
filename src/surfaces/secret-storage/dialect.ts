import type { AppError } from '../../errors.js'
import type { Rendered } from '../../http/dialect.js'
import { renderFastApi } from '../../http/fastapi-dialect.js'

/**
 * The Secret Storage surface's words (docs/surfaces/1-secret-storage.md). Every auth problem and every cross-user
 * attempt on set/get is the same 401 `{"detail":"Not authorized"}`; a wrong login is one sentence
 * whether the e-mail exists or not; neither 401 nor 404 mentions a "secret".
 */
export function renderSecretStorage(error: AppError): Rendered {
  switch (error.code) {
    case 'UNAUTHORIZED':
      return error.details.subject === 'credentials'
        ? { status: 401, body: { detail: 'Invalid email or password' } }
        : {
            status: 401,
            body: { detail: 'Not authorized' },
            headers: { 'WWW-Authenticate': 'Bearer' },
          }
    case 'CONFLICT':
      return { status: 400, body: { detail: 'Email already in use' } }
    default:
      return renderFastApi(error)
  }
}
