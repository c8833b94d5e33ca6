import { Type } from 'typebox'

/**
 * Request and response schemas of the Lock surface (docs/surfaces/3-lock.md). Required keys are listed in
 * the order the original names them in "Missing …" messages; the dialect turns schema failures
 * into those messages. Every input is bounded.
 */

const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]+$'

export const RegisterBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64, pattern: PRINTABLE }),
  // Fewer than 8 characters is "Weak password", but only once the username is known to be free
  // (the original's order), so the service judges it; here an empty password is a missing one.
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  phone: Type.String({ minLength: 1, maxLength: 64 }),
  address: Type.String({ minLength: 1, maxLength: 512 }),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
})

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
})

export const UnlockBody = Type.Object({
  'unlocking-method': Type.String({ minLength: 1, maxLength: 128, pattern: PRINTABLE }),
})

export const MsgResponse = Type.Object({ msg: Type.String() })
export const TokenResponse = Type.Object({ access_token: Type.String() })
export const RateLimitedResponse = Type.Object({ error: Type.String() })

/** The original's columns, as its debug views named them (docs/surfaces/3-lock.md). */
export const UnlockRecordSchema = Type.Object({
  date_time: Type.String(),
  id: Type.Integer(),
  unlocking_method: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
})

export const UserRecordSchema = Type.Object({
  address: Type.Union([Type.String(), Type.Null()]),
  id: Type.Integer(),
  phone: Type.Union([Type.String(), Type.Null()]),
  public_id: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
})

/** POST debug views answer JSON keyed by id, as the original did. */
export const UnlockLogJson = Type.Record(Type.String(), UnlockRecordSchema)
export const UserDirectoryJson = Type.Record(Type.String(), UserRecordSchema)
export const HtmlPage = Type.String()
