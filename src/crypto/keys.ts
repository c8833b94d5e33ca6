import { hkdfSync, randomBytes, scrypt, scryptSync } from 'node:crypto'
import {
  chmodSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
  closeSync,
} from 'node:fs'
import path from 'node:path'

/**
 * Where every key comes from. One root key, from `APP_SECRET` or from a random key file, is split
 * by HKDF (RFC 5869) into independent keys, one per purpose, so a JWT key can never decrypt data
 * and the audit signing key can never sign a token (docs/architecture.md "Everywhere").
 */

/** A 256-bit key with the 4-byte id that every ciphertext sealed under it carries. */
export interface DataKey {
  readonly id: Buffer
  readonly key: Buffer
}

export interface Keys {
  /** HS256 key for access tokens. */
  readonly tokenSigning: Buffer
  /** Key-encryption key of the envelope (wraps each row's data key). */
  readonly data: DataKey
  /** Ed25519 seed that signs audit checkpoints; anyone may verify with its public key. */
  readonly auditSigning: Buffer
  /** HMAC key for lookup digests (throttle counters, one-time link hashes). */
  readonly lookup: Buffer
  /** Input keying material for one-time content keys (mixed with each link's own key). */
  readonly oneTime: Buffer
  /** argon2 `secret` (a pepper): a stolen database alone cannot be used to test password guesses. */
  readonly passwordPepper: Buffer
}

const HKDF_SALT = Buffer.from('strongroom/hkdf-salt/v1')
export const KEY_FILE = 'master.key'

/** HKDF-SHA256 expand of `root` for one purpose label. */
export function deriveKey(root: Buffer, label: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', root, HKDF_SALT, `strongroom/${label}`, length))
}

export function deriveKeys(root: Buffer): Keys {
  return {
    tokenSigning: deriveKey(root, 'token-signing/v1'),
    data: { id: deriveKey(root, 'key-id/v1', 4), key: deriveKey(root, 'data/v1') },
    auditSigning: deriveKey(root, 'audit-signing/v1'),
    lookup: deriveKey(root, 'lookup/v1'),
    oneTime: deriveKey(root, 'one-time/v1'),
    passwordPepper: deriveKey(root, 'password-pepper/v1'),
  }
}

// scrypt (RFC 7914) stretches a human-chosen APP_SECRET before HKDF: HKDF adds no work factor,
// and a stolen database must not let anyone test guesses of a short secret at hash speed.
// N=2^15, r=8 costs ~50 ms once per process and 32 MiB of memory.
const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const
const stretched = new Map<string, Buffer>()

/** The root key for an operator-chosen secret. Memoised: the stretch runs once per process. */
export function rootKeyFromSecret(appSecret: string): Buffer {
  let root = stretched.get(appSecret)
  if (root === undefined) {
    root = scryptSync(appSecret, 'strongroom/app-secret/v1', 32, SCRYPT_PARAMS)
    stretched.set(appSecret, root)
  }
  return root
}

/**
 * The root key kept in `dataDir` when no APP_SECRET is configured: 32 random bytes created once,
 * readable by the owner only. Created with O_EXCL so two processes starting together agree on
 * one key instead of overwriting each other's.
 */
/**
 * Runs the stretch of `rootKeyFromSecret` on the thread pool and remembers its result, so a
 * process can overlap it with loading its modules (`strongroom serve` saves ~100 ms of start-up).
 */
export async function warmRootKey(appSecret: string | undefined): Promise<void> {
  if (appSecret === undefined || stretched.has(appSecret)) return
  const root = await new Promise<Buffer>((resolve, reject) => {
    scrypt(appSecret, 'strongroom/app-secret/v1', 32, SCRYPT_PARAMS, (error, key) => {
      if (error === null) resolve(key)
      else reject(error)
    })
  })
  stretched.set(appSecret, root)
}

export function rootKeyFromKeyFile(dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const file = path.join(dataDir, KEY_FILE)
  try {
    const fd = openSync(file, 'wx', 0o600)
    try {
      writeSync(fd, randomBytes(32).toString('base64') + '\n')
    } finally {
      closeSync(fd)
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`)
  return key
}

export function loadRootKey(options: { appSecret: string | undefined; dataDir: string }): Buffer {
  return options.appSecret === undefined
    ? rootKeyFromKeyFile(options.dataDir)
    : rootKeyFromSecret(options.appSecret)
}
