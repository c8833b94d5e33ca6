/**
 * How much one user can make the vault hold. Every list the surface returns is bounded by one of
 * these, so no account can grow a response (or the work behind it) without limit.
 */
export const VAULT_LIMITS = {
  secretsPerOwner: 1000,
  groupsPerCreator: 100,
  membersPerGroup: 1000,
  /** Longest "shared with me" list returned; the newest shares come first. */
  sharedListed: 1000,
  /** Longest list of one's own groups (the web app's group list). */
  groupsListed: 1000,
} as const
