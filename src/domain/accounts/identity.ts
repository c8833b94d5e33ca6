/**
 * How e-mails and usernames are compared: unique ignoring case, spelling kept as given
 * (docs/architecture.md "Usernames"). NFC first, so "é" typed two ways is one name.
 */
export const emailKey = (email: string): string => email.normalize('NFC').toLowerCase()
export const usernameKey = (username: string): string => username.normalize('NFC').toLowerCase()

/** What a surface's login form asks for. */
export type LoginKind = 'email' | 'username'
