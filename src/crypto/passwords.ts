import argon2 from 'argon2'

import { createConcurrencyLimit } from './concurrency-limit.js'
import { randomBytes } from './random.js'

/**
 * argon2id (RFC 9106) for passwords and passphrases. The native binding runs on libuv's thread
 * pool, so hashing never blocks the event loop. Parameters are OWASP's minimum for argon2id
 * (m=19 MiB, t=2, p=1): about 20–40 ms a hash on a small server, which bounds online guessing
 * without letting a login storm starve every other request.
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const

export interface PasswordHasher {
  /** PHC-formatted argon2id hash of `password`, peppered with the server key. */
  hash(password: string): Promise<string>
  /**
   * True when `password` matches; false for a mismatch or an unreadable hash (never throws).
   * This is a login: it runs in the capacity reserved for logins (see below).
   */
  verify(hash: string, password: string): Promise<boolean>
  /**
   * Spends the same time as `verify` and returns false. Called for unknown accounts so a login
   * for an e-mail that does not exist cannot be told apart by its timing.
   */
  verifyDummy(password: string): Promise<false>
  /**
   * Derives 32 bytes of key material from a passphrase (argon2id raw output, same cost), for
   * secrets whose passphrase must be part of the key rather than a mere check.
   */
  deriveKey(passphrase: string, salt: Buffer): Promise<Buffer>
}

/**
 * argon2 runs on libuv's thread pool (4 threads by default), which it shares with everything
 * else asynchronous in the process, WebCrypto included: jose verifies every token's HMAC there.
 * Left alone, a login storm fills all four threads and every authenticated request waits behind
 * it. At most two hashes run at once (this is CPU-bound work: more than the cores buys nothing),
 * so the rest of the pool stays free; a storm beyond MAX_WAITING_HASHES is refused with 429.
 *
 * One of the two is reserved for checking the passwords of existing accounts (`verify`, which is
 * what a login does): registration and one-time passphrases, which anyone can send without an
 * account, hash in the other slot only. A storm of anonymous hashing then queues behind itself
 * and is refused when its queue is full, while logins keep a slot of their own and go first.
 */
export const MAX_CONCURRENT_HASHES = 2
export const HASHES_RESERVED_FOR_LOGIN = 1
export const MAX_WAITING_HASHES = 256

export function createPasswordHasher(pepper: Buffer): PasswordHasher {
  const options = { ...ARGON2_OPTIONS, secret: pepper }
  const limit = createConcurrencyLimit(
    MAX_CONCURRENT_HASHES,
    MAX_WAITING_HASHES,
    HASHES_RESERVED_FOR_LOGIN,
  )
  let dummyHash: Promise<string> | undefined

  const verify = async (hash: string, password: string): Promise<boolean> =>
    limit.runPriority(async () => {
      try {
        return await argon2.verify(hash, password, { secret: pepper })
      } catch {
        return false
      }
    })

  return {
    hash: (password) => limit.run(() => argon2.hash(password, options)),
    verify,
    async verifyDummy(password) {
      dummyHash ??= argon2.hash(randomBytes(32).toString('base64'), options)
      await verify(await dummyHash, password)
      return false
    },
    deriveKey: (passphrase, salt) =>
      limit.run(() => argon2.hash(passphrase, { ...options, salt, hashLength: 32, raw: true })),
  }
}
