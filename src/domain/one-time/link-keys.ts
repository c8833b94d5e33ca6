import { randomHex, randomId } from '../../crypto/random.js'
import type { OneTimeKind } from '../../db/tables/one-time.js'

/**
 * The key in a one-time link: a UUIDv4 on surface 4 (122 random bits), 32 hex digits on
 * surface 5 (128 random bits), as the originals issued them (docs/surfaces/4-one-time.md, 5-generate.md). Anything that
 * does not have the shape cannot be a key, so it is "not found" without touching the store.
 */
export const LINK_KEY_PATTERNS: Readonly<Record<OneTimeKind, string>> = {
  api: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
  generate: '^[0-9A-Fa-f]{32}$',
}

const compiled: Readonly<Record<OneTimeKind, RegExp>> = {
  api: new RegExp(LINK_KEY_PATTERNS.api),
  generate: new RegExp(LINK_KEY_PATTERNS.generate),
}

export const newLinkKey = (kind: OneTimeKind): string =>
  kind === 'api' ? randomId() : randomHex(16)

/**
 * The form a key is hashed and derived in: lower case, so a client that upper-cases a UUID (as
 * Python's `uuid.UUID` parsing allows) still finds its secret. Undefined when malformed.
 */
export function canonicalLinkKey(kind: OneTimeKind, raw: string): string | undefined {
  return compiled[kind].test(raw) ? raw.toLowerCase() : undefined
}
