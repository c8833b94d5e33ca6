/**
 * One row per identifier an account holds: its e-mail key, its username key and its username's
 * confusable skeleton, all in one key space (src/domain/accounts/identity.ts). The primary key
 * is what makes "no username equals another account's e-mail" race-free on every store: the
 * claims are inserted in the registration's transaction, and the second of two racing
 * registrations fails on it.
 */
export interface IdentifierClaimsTable {
  key: string
  user_id: number
}

export interface IdentifierClaimTables {
  identifier_claims: IdentifierClaimsTable
}
