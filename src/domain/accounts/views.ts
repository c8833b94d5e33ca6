import type { Role } from '../../db/schema.js'
import type { UserRow } from './users-repo.js'

/** A user as services hand them out: no hash, no sealed columns, no token version. */
export interface UserView {
  id: number
  username: string | null
  email: string | null
  role: Role
  createdAt: string
}

/** The authenticated caller of a request. */
export interface Principal {
  userId: number
  username: string | null
  email: string | null
  role: Role
  /** The token's id and expiry, so logout can revoke exactly this token until it would expire. */
  jti: string
  tokenExpiresAt: Date
}

export const toUserView = (row: UserRow): UserView => ({
  id: row.id,
  username: row.username,
  email: row.email,
  role: row.role,
  createdAt: row.created_at,
})
