import { Type } from 'typebox'
import type { TProperties } from 'typebox'

import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, UsernameSchema } from '../common/accounts.js'

/**
 * Request and response schemas of the Secrets v1 surface (docs/surfaces/2-secrets-v1.md). Every input is
 * bounded; response schemas are allow-lists, so nothing but what is named here (no sealed
 * column, no hash) can reach a client, whatever a service returns.
 */

/** Ids are PostgreSQL `integer`s; anything larger cannot name a row and is refused up front. */
export const MAX_ID = 2_147_483_647

/** Longest value of each bounded text field, also quoted by the dialect's 422 messages. */
export const MAX_LENGTH = {
  email: EMAIL_MAX_LENGTH,
  password: PASSWORD_MAX_LENGTH,
  username: 64,
  name: 256,
  encrypted_data: 65_536,
  group_name: 100,
  new_group_name: 100,
  token: 200,
  iv: 1024,
  user_email: 254,
} as const

/**
 * Text that UTF-8 can carry exactly: no lone surrogate (`"\ud800"` is valid JSON but has no
 * UTF-8 form), so what is stored comes back byte for byte. Ajv matches with the `u` flag, where
 * a surrogate pair is one code point and only a lone half falls in this range.
 */
const WELL_FORMED = '^[^\\ud800-\\udfff]*$'
/** Well-formed and free of control characters: names other people will see in lists. */
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f\\ud800-\\udfff]*$'

/**
 * A request body: exactly these fields. Keys it does not name are dropped before anything reads
 * it (the app's body validator removes what `additionalProperties: false` excludes, without an
 * error, as the original ignored them), so no route can act on a field it does not take.
 */
const Body = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: false })

export const IdSchema = Type.Integer({ minimum: 1, maximum: MAX_ID })
export const PermissionSchema = Type.Enum(['read-only', 'read-write'])

const SecretName = Type.String({ minLength: 1, maxLength: MAX_LENGTH.name, pattern: WELL_FORMED })
const EncryptedData = Type.String({
  minLength: 1,
  maxLength: MAX_LENGTH.encrypted_data,
  pattern: WELL_FORMED,
})
const GroupName = (maxLength: number) =>
  Type.String({ minLength: 5, maxLength, pattern: PRINTABLE })

// --- auth and users ------------------------------------------------------------------------

/** Surface-2 rules: a real e-mail and at least 8 characters of password; username optional. */
export const RegisterBody = Body({
  email: Type.String({ minLength: 1, maxLength: MAX_LENGTH.email, format: 'email' }),
  password: Type.String({ minLength: 8, maxLength: MAX_LENGTH.password }),
  username: Type.Optional(UsernameSchema),
})

export { LoginBody } from '../common/accounts.js'

export const UserLookupQuery = Type.Object({
  email: Type.String({ minLength: 1, maxLength: MAX_LENGTH.email }),
})

const User = Type.Object({
  id: Type.Integer(),
  email: Type.Union([Type.String(), Type.Null()]),
  username: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
})
export const UserResponse = Type.Object({ user: User })
export const TokenResponse = Type.Object({ token: Type.String() })

// --- secrets --------------------------------------------------------------------------------

/** The later API's client IV, kept beside `encrypted_data` and answered with it. */
const ClientIv = Type.String({ minLength: 1, maxLength: MAX_LENGTH.iv, pattern: WELL_FORMED })

export const CreateSecretBody = Body({
  name: SecretName,
  encrypted_data: EncryptedData,
  iv: Type.Optional(ClientIv),
})
export const SecretIdBody = Body({ secret_id: IdSchema })
export const UpdateSecretBody = Body({
  secret_id: IdSchema,
  name: SecretName,
  encrypted_data: EncryptedData,
  iv: Type.Optional(ClientIv),
})

const Access = Type.Enum(['owner', 'read-only', 'read-write'])
const SecretData = Type.Object({
  secret_id: Type.Integer(),
  name: Type.String(),
  encrypted_data: Type.String(),
  owner_id: Type.Integer(),
  permission: Access,
  created_at: Type.String(),
  updated_at: Type.String(),
  /** Only for secrets written with an `iv` (the later API), which are answered its way. */
  id: Type.Optional(Type.Integer()),
  iv: Type.Optional(Type.String()),
})
/** A secret in the later API's lists (the pw4devs CLI's `SecretRecord`). */
export const LaterSecret = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  encrypted_data: Type.String({ description: 'base64 of the UTF-8 bytes stored' }),
  iv: Type.Union([Type.String({ description: 'base64 of the UTF-8 bytes stored' }), Type.Null()]),
  owner_id: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
})
export const LaterSecretListResponse = Type.Object({
  message: Type.String(),
  data: Type.Array(LaterSecret),
})
export const GroupSecretsQueryBody = Body({ group_id: IdSchema })
export const MessageResponse = Type.Object({ message: Type.String() })
/** 204: no body at all (Fastify drops it). */
export const NoContentResponse = Type.Null({ description: 'No content' })
export const CreatedSecretResponse = Type.Object({
  message: Type.String(),
  secret_id: Type.Integer(),
})
export const SecretResponse = Type.Object({ message: Type.String(), data: SecretData })
export const SecretListResponse = Type.Object({
  message: Type.String(),
  data: Type.Array(SecretData),
})
export const SharedListResponse = Type.Object({
  message: Type.String(),
  data: Type.Array(
    Type.Object({
      secret_id: Type.Integer(),
      name: Type.String(),
      owner_id: Type.Integer(),
      permission: PermissionSchema,
    }),
  ),
})

// --- sharing --------------------------------------------------------------------------------

export const ShareUserBody = Body({
  secret_id: IdSchema,
  user_id: IdSchema,
  permission: PermissionSchema,
})
export const RevokeUserBody = Body({ secret_id: IdSchema, user_id: IdSchema })
export const ShareGroupBody = Body({
  secret_id: IdSchema,
  group_id: IdSchema,
  permission: PermissionSchema,
})
export const RevokeGroupBody = Body({ secret_id: IdSchema, group_id: IdSchema })

// --- groups ---------------------------------------------------------------------------------

export const CreateGroupBody = Body({ group_name: GroupName(MAX_LENGTH.group_name) })
export const GroupIdBody = Body({ group_id: IdSchema })
export const RenameGroupBody = Body({
  group_id: IdSchema,
  new_group_name: GroupName(MAX_LENGTH.new_group_name),
})
export const MembershipBody = Body({ group_id: IdSchema, user_id: IdSchema })

/** `{"Message"}` as documented; `{"message"}` for a request made with the later API's keys. */
export const GroupMessageResponse = Type.Object({
  Message: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
})
const LaterGroup = {
  id: Type.Integer(),
  name: Type.String(),
  creator_id: Type.Integer(),
  created_at: Type.String(),
}
export const LaterGroupListResponse = Type.Object({
  message: Type.String(),
  data: Type.Array(Type.Object(LaterGroup)),
})
export const CreatedGroupResponse = Type.Object({
  Message: Type.String(),
  data: Type.Object({
    group_name: Type.String(),
    id: Type.Integer(),
    creator_id: Type.Integer(),
    created_at: Type.String(),
  }),
})
/** Documented: `Message` and `Data` with `members`; by `group_name`: `message` and `data` with `users` and `secrets`. */
export const GroupResponse = Type.Object({
  message: Type.Optional(Type.String()),
  data: Type.Optional(
    Type.Object({
      ...LaterGroup,
      users: Type.Array(
        Type.Object({
          id: Type.Integer(),
          email: Type.Union([Type.String(), Type.Null()]),
          name: Type.Union([Type.String(), Type.Null()]),
          activated: Type.Boolean(),
          created_at: Type.String(),
        }),
      ),
      secrets: Type.Array(LaterSecret),
    }),
  ),
  Message: Type.Optional(Type.String()),
  Data: Type.Optional(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      creator_id: Type.Integer(),
      created_at: Type.String(),
      members: Type.Array(
        Type.Object({
          id: Type.Integer(),
          email: Type.Union([Type.String(), Type.Null()]),
          username: Type.Union([Type.String(), Type.Null()]),
        }),
      ),
    }),
  ),
})

// --- errors, in this surface's dialect (dialect.ts) ------------------------------------------

/** `{"error": "…"}`: malformed requests, auth failures, 404, 409, 413, 429. */
export const ErrorResponse = Type.Object({ error: Type.String() })
/** `{"error": {"<field>": "…"}}`: the 422 of failed validation, failing fields only. */
export const FieldErrorsResponse = Type.Object({
  error: Type.Record(Type.String(), Type.String()),
})
/** A secrets route's 401: `{"error"}` for a missing or bad token, `{"message"}` for a refusal. */
export const SecretDeniedResponse = Type.Object({
  error: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
})
/** A groups route's 400 or 401: `{"error"}` from the framework, `{"Message"}` from the route. */
export const GroupDeniedResponse = Type.Object({
  error: Type.Optional(Type.String()),
  Message: Type.Optional(Type.String()),
})

// --- account routes of the original (activate, reset, delete) --------------------------------

/** A one-use token from a mail; anything longer than any token Strongroom issues is refused. */
const MailedToken = Type.String({ minLength: 1, maxLength: MAX_LENGTH.token })

export const ActivateBody = Body({ token: MailedToken })
export const ResetRequestBody = Body({
  email: Type.String({ minLength: 1, maxLength: MAX_LENGTH.email }),
})
export const ResetPasswordBody = Body({
  password: Type.String({ minLength: 8, maxLength: MAX_LENGTH.password }),
  token: MailedToken,
})
export const DeleteAccountBody = Body({
  email: Type.String({ minLength: 1, maxLength: MAX_LENGTH.email }),
  password: Type.String({ minLength: 1, maxLength: MAX_LENGTH.password }),
})
export const ActivatedUserResponse = Type.Object({
  user: Type.Object({
    id: Type.Integer(),
    email: Type.Union([Type.String(), Type.Null()]),
    username: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String(),
    activated: Type.Boolean(),
  }),
})
