import assert from 'node:assert/strict'
import { createHmac, randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import { createOneTimeSealer, deriveOneTimeKey } from '../../src/crypto/one-time-key.js'
import type { LinkSecrets } from '../../src/crypto/one-time-key.js'

const hex = (value: string): Buffer => Buffer.from(value.replace(/\s+/g, ''), 'hex')

/** RFC 5869 HKDF-SHA256 written out with HMAC, independent of node's hkdfSync. */
function referenceHkdf(ikm: Buffer, salt: Buffer, info: Buffer, length: number): Buffer {
  const prk = createHmac('sha256', salt).update(ikm).digest()
  const blocks: Buffer[] = []
  let previous = Buffer.alloc(0)
  for (let i = 1; blocks.length * 32 < length; i++) {
    previous = createHmac('sha256', prk)
      .update(Buffer.concat([previous, info, Buffer.from([i])]))
      .digest()
    blocks.push(previous)
  }
  return Buffer.concat(blocks).subarray(0, length)
}

const lengthPrefixed = (value: Buffer): Buffer => {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(value.length)
  return Buffer.concat([length, value])
}

const serverKey = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
const salt = Buffer.alloc(16, 0xa5)
const passphraseKey = Buffer.alloc(32, 0x5a)

describe('one-time content keys', () => {
  it('the reference HKDF reproduces RFC 5869 test case 1', () => {
    const okm = referenceHkdf(
      hex('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'),
      hex('000102030405060708090a0b0c'),
      hex('f0f1f2f3f4f5f6f7f8f9'),
      42,
    )
    assert.deepEqual(
      okm,
      hex(
        `3cb25f25faacd57a90434f64d0362f2a 2d2d0a90cf1a5a4c5db02d56ecc4c5bf
         34007208d5b887185865`,
      ),
    )
  })

  it('is HKDF-SHA256 over length-prefixed server key, link key and passphrase key', () => {
    const linkKey = '7c20a8cbe33d78142d4e670665165b19'
    const ikm = Buffer.concat([
      lengthPrefixed(serverKey),
      lengthPrefixed(Buffer.from(linkKey)),
      lengthPrefixed(passphraseKey),
    ])
    const expected = referenceHkdf(ikm, salt, Buffer.from('strongroom/one-time/content/v1'), 32)
    const derived = deriveOneTimeKey(serverKey, { linkKey, salt, passphraseKey }, 'content')
    assert.deepEqual(derived, expected)
    // Pinned: changing the derivation would make every stored secret unreadable.
    assert.equal(
      derived.toString('hex'),
      '2b83a9c90741d0a764fbc6e33e8505326a4f765a59aab5aec25f699069de3e82',
    )
  })

  it('matches pinned answers without a passphrase and for the passphrase check', () => {
    const linkKey = '12345678-1234-4678-9234-567812345678'
    assert.equal(
      deriveOneTimeKey(serverKey, { linkKey, salt }, 'content').toString('hex'),
      'c95d3292cbbcc807aef8c4e0caeee46ce2199904be9d96b94f569bf1a07a23d5',
    )
    assert.equal(
      deriveOneTimeKey(serverKey, { linkKey, salt, passphraseKey }, 'passphrase-check').toString(
        'hex',
      ),
      '18c51079668470b00e8e16cb32b7aadb1a55cdcd41eabbcd6e611068e6600fa5',
    )
  })

  it('changes with every input: server key, link key, salt, passphrase and purpose', () => {
    const base: LinkSecrets = { linkKey: 'a'.repeat(32), salt, passphraseKey }
    const reference = deriveOneTimeKey(serverKey, base, 'content')
    const variants = [
      deriveOneTimeKey(randomBytes(32), base, 'content'),
      deriveOneTimeKey(serverKey, { ...base, linkKey: 'b'.repeat(32) }, 'content'),
      deriveOneTimeKey(serverKey, { ...base, salt: Buffer.alloc(16, 1) }, 'content'),
      deriveOneTimeKey(serverKey, { ...base, passphraseKey: Buffer.alloc(32, 1) }, 'content'),
      deriveOneTimeKey(serverKey, { linkKey: base.linkKey, salt }, 'content'),
      deriveOneTimeKey(serverKey, base, 'passphrase-check'),
    ]
    for (const variant of variants) assert.notDeepEqual(variant, reference)
  })
})

describe('one-time sealer', () => {
  const sealer = createOneTimeSealer(serverKey)
  const secrets: LinkSecrets = { linkKey: randomBytes(16).toString('hex'), salt, passphraseKey }
  const aad = 'one-time:generate:row-hash'
  const sealed = sealer.seal(secrets, Buffer.from('my_secret'), aad)

  it('opens what it sealed and never contains the plaintext', () => {
    assert.equal(sealer.open(secrets, sealed, aad).toString(), 'my_secret')
    assert.equal(sealed[0], 0x01)
    assert.equal(sealed.includes(Buffer.from('my_secret')), false)
    assert.equal(sealer.open(secrets, sealer.seal(secrets, Buffer.alloc(0), aad), aad).length, 0)
  })

  it('refuses a wrong link key, passphrase key, salt or row, even with the server key', () => {
    const wrong: LinkSecrets[] = [
      { ...secrets, linkKey: randomBytes(16).toString('hex') },
      { ...secrets, passphraseKey: randomBytes(32) },
      { linkKey: secrets.linkKey, salt },
      { ...secrets, salt: randomBytes(16) },
    ]
    for (const attempt of wrong) {
      assert.throws(() => sealer.open(attempt, sealed, aad), { code: 'DECRYPT_FAILED' })
    }
    assert.throws(() => sealer.open(secrets, sealed, 'one-time:generate:other-row'), {
      code: 'DECRYPT_FAILED',
    })
  })

  it('refuses any flipped byte, a truncated value and a foreign version', () => {
    for (let i = 5; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed)
      tampered[i] = (tampered[i] ?? 0) ^ 0x01
      assert.throws(() => sealer.open(secrets, tampered, aad), { code: 'DECRYPT_FAILED' }, `${i}`)
    }
    assert.throws(() => sealer.open(secrets, sealed.subarray(0, 20), aad), { code: 'BAD_FORMAT' })
    const version2 = Buffer.from(sealed)
    version2[0] = 0x02
    assert.throws(() => sealer.open(secrets, version2, aad), { code: 'BAD_FORMAT' })
  })

  it('tells a value sealed under another server key apart from a wrong passphrase', () => {
    const other = createOneTimeSealer(randomBytes(32))
    assert.throws(() => other.open(secrets, sealed, aad), { code: 'UNKNOWN_KEY' })
    const keyIdFlipped = Buffer.from(sealed)
    keyIdFlipped[1] = (keyIdFlipped[1] ?? 0) ^ 0x01
    assert.throws(() => sealer.open(secrets, keyIdFlipped, aad), { code: 'UNKNOWN_KEY' })
  })

  it('checks a passphrase against a verifier that needs the link too', () => {
    const full = { linkKey: 'k'.repeat(36), salt, passphraseKey }
    const stored = sealer.passphraseCheck(full)
    assert.equal(sealer.checkPassphrase(full, stored), true)
    assert.equal(sealer.checkPassphrase({ ...full, passphraseKey: randomBytes(32) }, stored), false)
    assert.equal(sealer.checkPassphrase({ ...full, linkKey: 'j'.repeat(36) }, stored), false)
    assert.equal(sealer.checkPassphrase(full, stored.subarray(0, 16)), false)
    // The verifier is not the content key: knowing one gives nothing about the other.
    assert.notDeepEqual(stored, deriveOneTimeKey(serverKey, full, 'content'))
  })
})
