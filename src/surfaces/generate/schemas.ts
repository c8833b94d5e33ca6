import { Type } from 'typebox'

import { LINK_KEY_PATTERNS } from '../../domain/one-time/link-keys.js'
import { PassphraseSchema, SecretValueSchema, TtlSecondsSchema } from '../common/one-time.js'

/** Schemas of the Generate surface (docs/surfaces/5-generate.md); values are bounded as on surface 4. */

export const GenerateBody = Type.Object({
  secret: SecretValueSchema,
  passphrase: PassphraseSchema,
  ttl_seconds: TtlSecondsSchema,
})

/** A key that does not match is answered 404 "Secret not found" by the dialect, never 422. */
export const SecretKeyParams = Type.Object({
  secret_key: Type.String({ pattern: LINK_KEY_PATTERNS.generate, maxLength: 32 }),
})

export const RevealQuery = Type.Object({ passphrase: PassphraseSchema })
export const RevealBody = Type.Object({ passphrase: PassphraseSchema })

export { DetailResponse, ValidationResponse } from '../../http/fastapi-schemas.js'
export { SecretKeyResponse, SecretResponse } from '../common/one-time.js'
