import { createHmac } from 'node:crypto'

/**
 * Keyed digests for values the database must be able to find but must not hold: a one-time link
 * key, the e-mail behind a login-throttle counter. HMAC-SHA256 (RFC 2104) under a server key, so
 * the stored digest is neither the value nor a plain hash anyone could match against a guess.
 */
export type LookupHasher = (purpose: string, value: string) => string

export function createLookupHasher(key: Buffer): LookupHasher {
  return (purpose, value) =>
    createHmac('sha256', key).update(purpose).update('\0').update(value).digest('base64url')
}
