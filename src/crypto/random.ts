import { randomBytes, randomUUID } from 'node:crypto'

/** A fresh UUIDv4 (122 random bits): public ids such as audit event ids and one-time keys. */
export const randomId = (): string => randomUUID()

/** `bytes` random bytes as base64url: token ids (`jti`), link keys. */
export const randomToken = (bytes = 16): string => randomBytes(bytes).toString('base64url')

/** `bytes` random bytes as lowercase hex (the Generate surface's 32-hex secret keys). */
export const randomHex = (bytes = 16): string => randomBytes(bytes).toString('hex')

export { randomBytes }
