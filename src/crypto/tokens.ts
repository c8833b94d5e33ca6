import { createHash } from 'node:crypto'

import { errors, jwtVerify, SignJWT } from 'jose'

import type { Clock } from '../clock.js'
import type { AuthFailure } from '../errors.js'
import { randomToken } from './random.js'

/**
 * Access tokens: JWT (RFC 7519) signed with HS256 under a key derived for this purpose only.
 * Verification pins the algorithm, issuer and audience, and requires `exp`, `iat`, `jti` and
 * `sub`: `alg: none`, algorithm confusion and tokens of another instance all fail here. Whether a
 * valid token is still honoured (logout, password change, deleted user) is the account service's
 * question, answered from the shared store so it holds on every node at once.
 */

export const TOKEN_ALGORITHM = 'HS256'
const ISSUER = 'strongroom'
const AUDIENCE = 'strongroom'
/** Verified tokens remembered (about 200 bytes each), oldest forgotten first. */
const VERIFIED_CACHE_SIZE = 10_000
/** A token minted more than this far in our future was not minted by a sane clock. */
const MAX_CLOCK_SKEW_SECONDS = 60

export interface TokenClaims {
  userId: number
  jti: string
  issuedAt: number
  expiresAt: number
  /** The user's token version when the token was issued; bumping it retires older tokens. */
  tokenVersion: number
}

export interface IssuedToken {
  token: string
  jti: string
  expiresAt: Date
}

export class TokenError extends Error {
  readonly failure: AuthFailure
  constructor(failure: AuthFailure) {
    super(`token ${failure}`)
    this.name = 'TokenError'
    this.failure = failure
  }
}

export interface TokenService {
  issue(userId: number, tokenVersion: number): Promise<IssuedToken>
  verify(token: string): Promise<TokenClaims>
}

export function createTokenService(options: {
  key: Uint8Array
  clock: Clock
  ttlSeconds: number
}): TokenService {
  const { key, clock, ttlSeconds } = options
  /**
   * Tokens whose signature and claims already passed, by SHA-256 of the token (the cache never
   * holds a bearer token itself). jose verifies HMACs through WebCrypto, a hop to libuv's thread
   * pool per request; a token's signature cannot change, so it is checked once. Expiry is checked
   * on every use; revocation and the user's token version are the account service's question on
   * every request, as before.
   */
  const verified = new Map<string, TokenClaims>()

  return {
    async issue(userId, tokenVersion) {
      const now = Math.floor(clock.now().getTime() / 1000)
      // 128 random bits: two logins never share a token, and logout can revoke exactly one.
      const jti = randomToken(16)
      const token = await new SignJWT({ tv: tokenVersion })
        .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(String(userId))
        .setJti(jti)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(key)
      return { token, jti, expiresAt: new Date((now + ttlSeconds) * 1000) }
    },

    async verify(token) {
      const now = clock.now().getTime() / 1000
      // RFC 7515 §2 / RFC 4648 §3.5: a JWS part is unpadded base64url, and a decoder may accept
      // other spellings of the same bytes (padding, non-zero unused bits). One token, one spelling:
      // otherwise a revoked or logged token has siblings that still look new.
      if (!isCanonicalCompactJws(token)) throw new TokenError('malformed')
      const cacheKey = createHash('sha256').update(token).digest('base64url')
      const cached = verified.get(cacheKey)
      if (cached !== undefined) {
        if (cached.expiresAt > now) return cached
        verified.delete(cacheKey)
        throw new TokenError('expired')
      }
      let payload
      try {
        ;({ payload } = await jwtVerify(token, key, {
          algorithms: [TOKEN_ALGORITHM],
          issuer: ISSUER,
          audience: AUDIENCE,
          typ: 'JWT',
          currentDate: clock.now(),
          requiredClaims: ['exp', 'iat', 'jti', 'sub'],
        }))
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw new TokenError('expired')
        if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
          throw new TokenError('malformed')
        }
        throw new TokenError('invalid')
      }
      const { sub, jti, iat, exp, tv } = payload
      if (
        sub === undefined ||
        !/^[1-9]\d{0,15}$/.test(sub) ||
        typeof jti !== 'string' ||
        typeof iat !== 'number' ||
        typeof exp !== 'number' ||
        typeof tv !== 'number' ||
        !Number.isSafeInteger(tv) ||
        iat > now + MAX_CLOCK_SKEW_SECONDS
      ) {
        throw new TokenError('invalid')
      }
      const claims = { userId: Number(sub), jti, issuedAt: iat, expiresAt: exp, tokenVersion: tv }
      if (verified.size >= VERIFIED_CACHE_SIZE) {
        const oldest = verified.keys().next()
        if (oldest.done !== true) verified.delete(oldest.value)
      }
      verified.set(cacheKey, claims)
      return claims
    },
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/

/** Three dot-separated parts, each exactly what re-encoding its bytes gives back. */
function isCanonicalCompactJws(token: string): boolean {
  const parts = token.split('.')
  return (
    parts.length === 3 &&
    parts.every(
      (part) =>
        BASE64URL.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part,
    )
  )
}
