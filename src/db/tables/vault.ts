/** Surface 1's one secret per user, sealed with AAD `personal-secret:<user id>`. */
export interface PersonalSecretsTable {
  user_id: number
  sealed: Buffer
  created_at: string
  updated_at: string
}

export interface VaultTables {
  personal_secrets: PersonalSecretsTable
}
