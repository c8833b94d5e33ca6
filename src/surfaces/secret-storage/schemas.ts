import { Type } from 'typebox'

import { UsernameSchema } from '../common/accounts.js'

/**
 * Request and response schemas of the Secret Storage surface (docs/surfaces/1-secret-storage.md). Response schemas
 * are allow-lists: a field not named here cannot reach a client. Every input is bounded.
 */

export const EmailSchema = Type.String({ format: 'email', maxLength: 254 })
/** No length rule on this surface: 4-character passwords register (docs/surfaces/1-secret-storage.md). */
export const PasswordSchema = Type.String({ minLength: 1, maxLength: 1024 })
export const SecretValueSchema = Type.String({ maxLength: 65_536 })

export const RegisterBody = Type.Object({
  email: EmailSchema,
  username: UsernameSchema,
  password: PasswordSchema,
})

/** Any two strings: a wrong or unknown e-mail is a 401 like a wrong password, never a 422. */
export const LoginBody = Type.Object({
  email: Type.String({ maxLength: 320 }),
  password: Type.String({ maxLength: 1024 }),
})

export const SetSecretBody = Type.Object({
  username: Type.String({ maxLength: 64 }),
  secret: SecretValueSchema,
})

export const GetSecretQuery = Type.Object({
  username: Type.String({ maxLength: 64 }),
})

export const MessageResponse = Type.Object({ message: Type.String() })
export const LoginResponse = Type.Object({ token: Type.String(), message: Type.String() })
export const SecretResponse = Type.Object({ secret: Type.String() })
export { DetailResponse, ValidationResponse } from '../../http/fastapi-schemas.js'
