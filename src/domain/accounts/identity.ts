import { skeleton } from './confusables.js'
import { enforceUsername } from './username-profile.js'

/**
 * How e-mails and usernames are compared: unique ignoring case, spelling kept as given. E-mails
 * fold with NFC and lower case; usernames follow PRECIS UsernameCaseMapped (username-profile.ts).
 */
export const emailKey = (email: string): string => email.normalize('NFC').toLowerCase()

/** The folding used before the PRECIS profile: still how names the profile refuses are found. */
const legacyUsernameKey = (username: string): string => username.normalize('NFC').toLowerCase()

/**
 * The lookup key of a username. Never throws: a name the profile refuses cannot be registered,
 * but looking one up (a login, a request naming a user) simply finds nobody, or finds an account
 * registered before the profile under its old key.
 */
export function usernameKey(username: string): string {
  const enforced = enforceUsername(username)
  return enforced.ok ? enforced.key : legacyUsernameKey(username)
}

/** Which field of a registration a claimed identifier came from. */
export type IdentifierField = 'email' | 'username'

export interface IdentifierClaim {
  key: string
  field: IdentifierField
}

/**
 * The identifiers an account claims in the one space that e-mails, usernames and username
 * skeletons share (the `identifier_claims` table, unique by key): so no username equals another
 * account's e-mail, no e-mail another's username, and no username looks like another's
 * (`раypal` in Cyrillic and `paypal`). An account's own identifiers may coincide.
 */
export function identifierClaims(account: {
  email: string | null
  username: string | null
}): IdentifierClaim[] {
  const claims: IdentifierClaim[] = []
  const add = (key: string, field: IdentifierField): void => {
    if (!claims.some((claim) => claim.key === key)) claims.push({ key, field })
  }
  if (account.email !== null) add(emailKey(account.email), 'email')
  if (account.username !== null) {
    const key = usernameKey(account.username)
    add(key, 'username')
    add(skeleton(key), 'username')
  }
  return claims
}

/** What a surface's login form asks for. */
export type LoginKind = 'email' | 'username'
