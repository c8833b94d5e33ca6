import { Type } from 'typebox'

/**
 * Account fields more than one surface takes (docs/surfaces/1-secret-storage.md,
 * 2-secrets-v1.md, docs/web-app.md): one definition, so a username or a login is bounded alike
 * wherever it arrives.
 */

/** The longest e-mail address (RFC 5321's path limit) and the longest password any surface takes. */
export const EMAIL_MAX_LENGTH = 254
export const PASSWORD_MAX_LENGTH = 1024

/** Printable text: no control characters, so a name can't forge a log line or a header. */
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]+$'

export const UsernameSchema = Type.String({ minLength: 1, maxLength: 64, pattern: PRINTABLE })

/**
 * E-mail and password login of surface 2 and the web app: any two non-empty strings, so a
 * malformed e-mail is a wrong login (401), not a 422. Nothing longer than the longest e-mail
 * registration accepts can name an account. Other keys are dropped unread.
 */
export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: EMAIL_MAX_LENGTH }),
    password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
  },
  { additionalProperties: false },
)
