import assert from 'node:assert/strict'
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import { SignJWT } from 'jose'

import { createTokenService, TokenError } from '../../src/crypto/tokens.js'
import { manualClock } from '../helpers/clock.js'

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url')

/** A JWT signed by hand, to build tokens jose would refuse to sign. */
function forge(header: object, payload: object, key: Buffer | string | null): string {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
  const signature =
    key === null ? '' : createHmac('sha256', key).update(signingInput).digest('base64url')
  return `${signingInput}.${signature}`
}

describe('access tokens', () => {
  const clock = manualClock()
  const key = randomBytes(32)
  const tokens = createTokenService({ key, clock, ttlSeconds: 3600 })
  const now = (): number => Math.floor(clock.now().getTime() / 1000)
  const claims = (extra: object = {}): object => ({
    iss: 'strongroom',
    aud: 'strongroom',
    sub: '1',
    jti: 'abc',
    iat: now(),
    exp: now() + 60,
    tv: 0,
    ...extra,
  })

  it('signs HS256 exactly as RFC 7515 appendix A.1 does (the primitive jose gives us)', async () => {
    const rfcKey = Buffer.from(
      'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow',
      'base64url',
    )
    const header = 'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9'
    const payload =
      'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ'
    const signature = createHmac('sha256', rfcKey)
      .update(`${header}.${payload}`)
      .digest('base64url')
    assert.equal(signature, 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')
    // …and our verifier refuses that well-signed foreign token (wrong issuer, no jti, expired).
    const foreign = createTokenService({ key: rfcKey, clock, ttlSeconds: 60 })
    await assert.rejects(foreign.verify(`${header}.${payload}.${signature}`), {
      failure: 'invalid',
    })
  })

  it('issues tokens that verify, with the claims we set', async () => {
    const issued = await tokens.issue(42, 3)
    const verified = await tokens.verify(issued.token)
    assert.equal(verified.userId, 42)
    assert.equal(verified.tokenVersion, 3)
    assert.equal(verified.jti, issued.jti)
    assert.equal(verified.expiresAt - verified.issuedAt, 3600)
    const [header] = issued.token.split('.')
    assert.deepEqual(JSON.parse(Buffer.from(header ?? '', 'base64url').toString()), {
      alg: 'HS256',
      typ: 'JWT',
    })
  })

  it('never issues the same token twice', async () => {
    const seen = new Set<string>()
    for (let i = 0; i < 50; i++) seen.add((await tokens.issue(1, 0)).token)
    assert.equal(seen.size, 50)
  })

  it('accepts a hand-forged token only when it is signed with our key (sanity check of forge)', async () => {
    const verified = await tokens.verify(forge({ alg: 'HS256', typ: 'JWT' }, claims(), key))
    assert.equal(verified.userId, 1)
  })

  const attacks: [string, () => string | Promise<string>, string][] = [
    [
      'alg: none, no signature',
      () => forge({ alg: 'none', typ: 'JWT' }, claims(), null),
      'invalid',
    ],
    [
      'alg: None with our HMAC anyway',
      () => forge({ alg: 'None', typ: 'JWT' }, claims(), key),
      'invalid',
    ],
    [
      'HS256 signed with "secret"',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims(), 'secret'),
      'invalid',
    ],
    ['HS256 signed with ""', () => forge({ alg: 'HS256', typ: 'JWT' }, claims(), ''), 'invalid'],
    [
      'HS256 signed with "supers3cret"',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims(), 'supers3cret'),
      'invalid',
    ],
    [
      'HS256 signed with "changeme"',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims(), 'changeme'),
      'invalid',
    ],
    ['HS512 with our key (algorithm not pinned)', () => hs512(claims()), 'invalid'],
    [
      'RS256 header, HMAC body (algorithm confusion)',
      () => forge({ alg: 'RS256', typ: 'JWT' }, claims(), key),
      'invalid',
    ],
    ['RS256 token signed with an attacker key', () => rs256(claims()), 'invalid'],
    [
      'expired',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ exp: now() - 1 }), key),
      'expired',
    ],
    [
      'not yet valid (nbf in the future)',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ nbf: now() + 600 }), key),
      'invalid',
    ],
    [
      'issued in the future',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ iat: now() + 600 }), key),
      'invalid',
    ],
    [
      'wrong issuer',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ iss: 'evil' }), key),
      'invalid',
    ],
    [
      'wrong audience',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ aud: 'other' }), key),
      'invalid',
    ],
    [
      'no jti',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ jti: undefined }), key),
      'invalid',
    ],
    [
      'no exp',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ exp: undefined }), key),
      'invalid',
    ],
    [
      'non-numeric sub',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ sub: 'admin' }), key),
      'invalid',
    ],
    [
      'no token version',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ tv: undefined }), key),
      'invalid',
    ],
    [
      'another Strongroom instance',
      () =>
        createTokenService({ key: randomBytes(32), clock, ttlSeconds: 60 })
          .issue(1, 0)
          .then((t) => t.token),
      'invalid',
    ],
    ['garbage', () => 'not.a.jwt', 'malformed'],
    ['two parts', () => 'eyJhbGciOiJIUzI1NiJ9.e30', 'malformed'],
  ]

  for (const [name, build, failure] of attacks) {
    it(`refuses ${name}`, async () => {
      await assert.rejects(tokens.verify(await build()), (error: unknown) => {
        assert.equal((error as { failure?: string }).failure, failure)
        return true
      })
    })
  }

  it('accepts only the canonical base64url of each part (no padding, unused bits zero)', async () => {
    const { token } = await tokens.issue(1, 0)
    await tokens.verify(token)
    const [header = '', payload = '', signature = ''] = token.split('.')
    // 32 signature bytes are 43 characters: the last one carries 2 unused bits.
    const last = signature.at(-1) ?? 'A'
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const index = alphabet.indexOf(last)
    const sameBytes = [1, 2, 3]
      .map((bits) => alphabet[(index & ~3) | bits] ?? '')
      .filter((char) => char !== last)
      .map((char) => `${header}.${payload}.${signature.slice(0, -1)}${char}`)
    for (const variant of sameBytes) {
      // The decoded signature is unchanged: only the encoding differs.
      assert.deepEqual(
        Buffer.from(variant.split('.')[2] ?? '', 'base64url'),
        Buffer.from(signature, 'base64url'),
      )
    }
    const variants = [
      ...sameBytes,
      `${header}.${payload}.${signature}=`,
      `${header}=.${payload}.${signature}`,
      `${header}.${payload}==.${signature}`,
      `${header}.${payload}.${signature.replaceAll('_', '/').replaceAll('-', '+')}`,
    ].filter((variant) => variant !== token)
    assert.ok(variants.length >= 6)
    for (const variant of variants) {
      await assert.rejects(tokens.verify(variant), TokenError, variant)
    }
  })

  it('refuses a token one second after it expires, with an injected clock', async () => {
    const local = manualClock()
    const shortLived = createTokenService({ key, clock: local, ttlSeconds: 60 })
    const { token } = await shortLived.issue(1, 0)
    local.advance(59_000)
    await shortLived.verify(token)
    local.advance(1_000)
    await assert.rejects(shortLived.verify(token), { failure: 'expired' })
  })

  async function hs512(payload: object): Promise<string> {
    return new SignJWT(payload as Record<string, unknown>)
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
      .sign(Buffer.concat([key, key]))
  }

  async function rs256(payload: object): Promise<string> {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    return new SignJWT(payload as Record<string, unknown>)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .sign(privateKey)
  }
})
