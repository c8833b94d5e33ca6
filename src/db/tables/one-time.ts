import type { Generated } from 'kysely'

/** Which surface made a one-time secret: surface 4 (`/api`) or surface 5 (`/generate`). */
export type OneTimeKind = 'api' | 'generate'

/**
 * Burn-after-reading secrets of surfaces 4 and 5. Nothing here reverses to the link key: rows are
 * found by `lookup_hash`, an HMAC of the link key under a server key, and `sealed` opens only
 * with a content key derived from the server key *and* the link key (and, for `generate`, the
 * passphrase). `id` is the internal id audit events name; it is never part of a link.
 */
export interface OneTimeSecretsTable {
  id: Generated<number>
  lookup_hash: string
  kind: OneTimeKind
  /** AES-256-GCM, AAD `one-time:<kind>:<lookup_hash>` (see crypto/one-time-key.ts). */
  sealed: Buffer
  /** 16 random bytes: HKDF salt of the content key and argon2id salt of the passphrase. */
  salt: Buffer
  /**
   * `api` secrets with a passphrase: a verifier derived from the server key, the link key and
   * the passphrase's argon2id output. Null otherwise (a `generate` passphrase is in the key).
   */
  passphrase_check: Buffer | null
  /** Wrong passphrases left; the attempt that brings it to 0 destroys the row. */
  attempts_left: number
  /** ISO-8601 UTC with milliseconds: unreadable from this instant on. */
  expires_at: string
  created_at: string
  /** Length of `sealed`: what this secret counts against the live-byte quotas. */
  size_bytes: number
  /** Keyed hash of the client that created it, whose quota it counts against; null: none. */
  client_hash: string | null
  /** Which share of the store-wide quota it counts against; null: none. */
  quota_share: number | null
  /**
   * Who made it, as the reveal page names them: the e-mail (else username) of a person signed
   * in to the web app. Null for anonymous links and for every link made through an API.
   */
  sender: string | null
}

/**
 * Bytes held by live one-time secrets, per scope: `client:<client_hash>` for one client and
 * `store:<share>` for one share of the store-wide cap. Changed in the same transaction as the
 * row that is created or removed, by guarded statements, so the counts are exact on any number
 * of nodes (src/domain/one-time/quota.ts).
 */
export interface OneTimeUsageTable {
  scope: string
  live_bytes: number
}

export interface OneTimeTables {
  one_time_secrets: OneTimeSecretsTable
  one_time_usage: OneTimeUsageTable
}
