import { Type } from 'typebox'

import { PASSPHRASE_MAX_LENGTH } from '../surfaces/common/one-time.js'

/**
 * What the web app's API takes. The ciphertext is the browser's own format
 * (web/src/crypto/link-cipher.ts): `v1.<iv>.<AES-GCM ciphertext and tag>`, base64url. The server
 * cannot open it and only checks its shape, so nothing but such ciphertexts lands in the store
 * through this route.
 */
export const CIPHERTEXT_PATTERN = '^v1\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{22,}$'

export const CreateLinkBody = Type.Object(
  {
    ciphertext: Type.String({ pattern: CIPHERTEXT_PATTERN, maxLength: 60_000 }),
    passphrase: Type.Optional(Type.String({ maxLength: PASSPHRASE_MAX_LENGTH })),
    ttl_seconds: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
)

export const RevealBody = Type.Object(
  { passphrase: Type.Optional(Type.String({ maxLength: PASSPHRASE_MAX_LENGTH })) },
  { additionalProperties: false },
)

export const LinkKeyParams = Type.Object({ key: Type.String({ maxLength: 64 }) })

export { LoginBody } from '../surfaces/common/accounts.js'

/** One call of the vault API (/v1) on the session's behalf: see vault-proxy.ts. */
export const VaultCallBody = Type.Object(
  {
    method: Type.Union([
      Type.Literal('GET'),
      Type.Literal('POST'),
      Type.Literal('PATCH'),
      Type.Literal('DELETE'),
    ]),
    path: Type.String({ minLength: 1, maxLength: 2048 }),
    body: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
)

/** Which secret's grants to list (its owner only). */
export const SharesBody = Type.Object(
  { secret_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) },
  { additionalProperties: false },
)
