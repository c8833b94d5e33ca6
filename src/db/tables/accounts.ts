import type { Generated } from 'kysely'

export type Role = 'user' | 'admin'

/**
 * One user table for every surface (docs/architecture.md "Shared semantics"). `*_key` columns hold the
 * case-folded spelling that uniqueness and lookups use; the given spelling is kept beside it.
 * Phone and address are personal data, so they are sealed like secrets.
 */
export interface UsersTable {
  id: Generated<number>
  username: string | null
  username_key: string | null
  email: string | null
  email_key: string | null
  phone_sealed: Buffer | null
  address_sealed: Buffer | null
  role: Role
  password_hash: string
  /** Bumped when the password changes: tokens carrying an older version are dead. */
  token_version: number
  created_at: string
  updated_at: string
}

/** Logged-out tokens, kept until they would have expired anyway. */
export interface RevokedTokensTable {
  jti: string
  expires_at: string
}

/**
 * Fixed-window failure counters (login throttling). `key` is an HMAC of what is counted (an
 * account or a client address), so the table never holds an e-mail someone merely tried.
 */
export interface ThrottleCountersTable {
  key: string
  count: number
  window_ends_at: string
}

/** What a one-use account token is for. */
export type AccountTokenScope = 'activation' | 'password-reset'

/**
 * One-use account tokens: only a keyed digest of each (the token itself exists in the mail that
 * carries it), its scope and its expiry. Using one deletes it.
 */
export interface AccountTokensTable {
  token_hash: string
  user_id: number
  scope: AccountTokenScope
  expires_at: string
}

export interface AccountTables {
  account_tokens: AccountTokensTable
  users: UsersTable
  revoked_tokens: RevokedTokensTable
  throttle_counters: ThrottleCountersTable
}
