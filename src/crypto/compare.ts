import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Compares two byte strings in time that depends only on their hashes' length, never on where
 * they first differ. Hashing first makes unequal lengths safe for `timingSafeEqual`, which throws
 * on them and would otherwise leak the expected length.
 */
export function constantTimeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const digest = (value: Uint8Array | string): Buffer => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(a), digest(b))
}
