import type { Role } from '../db/schema.js'

/**
 * Who is asking: the account behind a verified, unrevoked token. Accounts make principals; every
 * other domain only reads them (who may do what, who caused an event), so the type lives here, in
 * no domain's folder.
 */
export interface Principal {
  userId: number
  username: string | null
  email: string | null
  role: Role
  /** The token's id and expiry, so logout can revoke exactly this token until it would expire. */
  jti: string
  tokenExpiresAt: Date
}
