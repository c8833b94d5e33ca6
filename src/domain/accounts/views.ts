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

export const toUserView = (row: UserRow): UserView => ({
  id: row.id,
  username: row.username,
  email: row.email,
  role: row.role,
  createdAt: row.created_at,
})
