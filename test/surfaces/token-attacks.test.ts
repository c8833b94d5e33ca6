import assert from 'node:assert/strict'
import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import { describe, it } from 'node:test'

import { deriveKeys, rootKeyFromSecret } from '../../src/crypto/keys.js'
import { buildTestApp, TEST_APP_SECRET } from '../helpers/app.js'
import { bearer, json, signUp } from '../helpers/http.js'

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url')

/** Claims a real token carries, for the user of `token`, with a fresh expiry. */
function claimsOf(token: string): Record<string, unknown> {
  const [, payload] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >
  const now = Math.floor(Date.now() / 1000)
  return { ...claims, iat: now, exp: now + 600, jti: `forged-${Math.random()}` }
}

function hs256(header: object, claims: object, key: string | Buffer): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`
}

/**
 * Tokens an attacker can make without the server's key: none of them opens a secret
 * (docs/surfaces/1-secret-storage.md: every auth problem is 401 "Not authorized").
 */
describe('forged access tokens', () => {
  it('refuses alg none, weak HS256 keys, algorithm confusion and tampered claims', async (t) => {
    const { app } = await buildTestApp(t)
    const user = await signUp(app)
    const set = await app.inject({
      method: 'POST',
      url: '/set_secret',
      headers: bearer(user.token),
      payload: { username: user.username, secret: 'crown jewels' },
    })
    assert.equal(set.statusCode, 200)

    const claims = claimsOf(user.token)
    const [realHeader, realPayload, realSignature] = user.token.split('.') as [
      string,
      string,
      string,
    ]
    const { privateKey } = generateKeyPairSync('ed25519')
    const edInput = `${b64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`

    const forged: Record<string, string> = {
      'alg none': `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.`,
      'alg None': `${b64url(JSON.stringify({ alg: 'None', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.`,
      'EdDSA with the attacker key': `${edInput}.${b64url(sign(null, Buffer.from(edInput), privateKey))}`,
      'payload swapped under the real signature': `${realHeader}.${b64url(JSON.stringify({ ...claims, sub: '999' }))}.${realSignature}`,
      'real payload, HS512 header': `${b64url(JSON.stringify({ alg: 'HS512', typ: 'JWT' }))}.${realPayload}.${realSignature}`,
    }
    for (const key of [
      '',
      'secret',
      'supers3cret',
      'strongroom',
      'changeme',
      'your-256-bit-secret',
      TEST_APP_SECRET,
    ]) {
      forged[`HS256 keyed with "${key}"`] = hs256({ alg: 'HS256', typ: 'JWT' }, claims, key)
    }

    for (const [name, token] of Object.entries(forged)) {
      const response = await app.inject({
        method: 'GET',
        url: `/get_secret?username=${user.username}`,
        headers: bearer(token),
      })
      assert.equal(response.statusCode, 401, name)
      assert.deepEqual(json(response), { detail: 'Not authorized' }, name)
    }
  })

  it('refuses tokens signed with the real key whose claims are wrong', async (t) => {
    const { app } = await buildTestApp(t)
    const user = await signUp(app)
    const key = deriveKeys(rootKeyFromSecret(TEST_APP_SECRET)).tokenSigning
    const claims = claimsOf(user.token)
    const now = Math.floor(Date.now() / 1000)
    const header = { alg: 'HS256', typ: 'JWT' }
    const without = (name: string): Record<string, unknown> =>
      Object.fromEntries(Object.entries(claims).filter(([claim]) => claim !== name))

    // Control: the same forging code with correct claims is accepted, so each refusal below is
    // about the claim it changes.
    const control = await app.inject({
      method: 'GET',
      url: `/get_secret?username=${user.username}`,
      headers: bearer(hs256(header, claims, key)),
    })
    assert.equal(control.statusCode, 404, control.body)

    const forged: Record<string, string> = {
      expired: hs256(header, { ...claims, iat: now - 7200, exp: now - 3600 }, key),
      'not yet valid (nbf)': hs256(header, { ...claims, nbf: now + 3600 }, key),
      'issued in the future': hs256(header, { ...claims, iat: now + 3600, exp: now + 7200 }, key),
      'wrong issuer': hs256(header, { ...claims, iss: 'someone-else' }, key),
      'wrong audience': hs256(header, { ...claims, aud: 'another-service' }, key),
      'no jti': hs256(header, without('jti'), key),
      'no exp': hs256(header, without('exp'), key),
      'no token version': hs256(header, without('tv'), key),
      'non-numeric subject': hs256(header, { ...claims, sub: 'admin' }, key),
      'subject of nobody': hs256(header, { ...claims, sub: '424242' }, key),
      'HS384 under the real key': (() => {
        const input = `${b64url(JSON.stringify({ alg: 'HS384', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`
        return `${input}.${createHmac('sha384', key).update(input).digest('base64url')}`
      })(),
      'typ not JWT': hs256({ alg: 'HS256', typ: 'at+jwt' }, claims, key),
    }
    for (const [name, token] of Object.entries(forged)) {
      const response = await app.inject({
        method: 'GET',
        url: `/get_secret?username=${user.username}`,
        headers: bearer(token),
      })
      assert.equal(response.statusCode, 401, name)
      assert.deepEqual(json(response), { detail: 'Not authorized' }, name)
    }
  })

  it('refuses a valid token from another Strongroom instance', async (t) => {
    const ours = await buildTestApp(t)
    const theirs = await buildTestApp(t, { env: { APP_SECRET: 'a different instance' } })
    const identity = await signUp(ours.app)
    // Same user (id 1) registered on the other instance too.
    const foreign = await signUp(theirs.app, identity)
    const response = await ours.app.inject({
      method: 'GET',
      url: `/get_secret?username=${identity.username}`,
      headers: bearer(foreign.token),
    })
    assert.equal(response.statusCode, 401)
  })
})
