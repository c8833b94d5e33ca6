import type { Generated } from 'kysely'

/** Surface 1's one secret per user, sealed with AAD `personal-secret:<user id>`. */
export interface PersonalSecretsTable {
  user_id: number
  sealed: Buffer
  created_at: string
  updated_at: string
}

/** What a grant allows (docs/surfaces/2-secrets-v1.md); the owner's rights are not a grant. */
export type GrantPermission = 'read-only' | 'read-write'

/**
 * The team vault's named secrets (surface 2). Name and value are sealed separately, each with AAD
 * `vault-secret:<id>:name` / `vault-secret:<id>:data`, so neither can be moved to another row or
 * swapped with the other field.
 */
export interface VaultSecretsTable {
  id: Generated<number>
  owner_id: number
  name_sealed: Buffer
  data_sealed: Buffer
  /**
   * The client's IV, for secrets written through the later API (`iv` beside `encrypted_data`),
   * sealed with AAD `vault-secret:<id>:iv`; NULL for every other secret.
   */
  iv_sealed: Generated<Buffer | null>
  created_at: string
  updated_at: string
  /** The number of the current value; each update adds one (src/domain/vault/secret-versions.ts). */
  version: Generated<number>
}

/**
 * A value a secret held before an update, sealed with AAD `vault-secret:<id>:v<version>:name`
 * and `…:data`, so a version opens only as that version of that secret.
 */
export interface VaultSecretVersionsTable {
  secret_id: number
  version: number
  name_sealed: Buffer
  data_sealed: Buffer
  /** The later API's `iv`, when the value was written with one (AAD `…:v<version>:iv`). */
  iv_sealed: Buffer | null
  /** When this value was written (the secret's `updated_at` then). */
  created_at: string
}

/**
 * Groups of users that secrets can be shared with. Names are not secret; `name_key` is the
 * case-folded spelling that uniqueness uses, the given spelling is kept in `name`.
 */
export interface VaultGroupsTable {
  id: Generated<number>
  name: string
  name_key: string
  creator_id: number
  created_at: string
  updated_at: string
}

export interface VaultGroupMembersTable {
  group_id: number
  user_id: number
  added_at: string
}

/** A secret shared with one user. */
export interface VaultUserGrantsTable {
  secret_id: number
  user_id: number
  permission: GrantPermission
  created_at: string
  updated_at: string
}

/** A secret shared with every member of a group, for as long as they are members. */
export interface VaultGroupGrantsTable {
  secret_id: number
  group_id: number
  permission: GrantPermission
  created_at: string
  updated_at: string
}

export interface VaultTables {
  personal_secrets: PersonalSecretsTable
  vault_secrets: VaultSecretsTable
  vault_secret_versions: VaultSecretVersionsTable
  vault_groups: VaultGroupsTable
  vault_group_members: VaultGroupMembersTable
  vault_user_grants: VaultUserGrantsTable
  vault_group_grants: VaultGroupGrantsTable
}
