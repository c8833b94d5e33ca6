import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import { createEnvelope, CryptoError, gcmDecrypt, gcmEncrypt } from '../../src/crypto/envelope.js'
import type { DataKey } from '../../src/crypto/keys.js'

const hex = (value: string): Buffer => Buffer.from(value.replace(/\s+/g, ''), 'hex')
const key = (): DataKey => ({ id: randomBytes(4), key: randomBytes(32) })

describe('AES-256-GCM primitive', () => {
  // The GCM specification's Test Case 16 (McGrew & Viega, as used in NIST's GCM validation):
  // AES-256, 96-bit IV, with associated data.
  const vector = {
    key: hex('feffe9928665731c6d6a8f9467308308 feffe9928665731c6d6a8f9467308308'),
    iv: hex('cafebabefacedbaddecaf888'),
    aad: hex('feedfacedeadbeeffeedfacedeadbeef abaddad2'),
    plaintext: hex(
      `d9313225f88406e5a55909c5aff5269a 86a7a9531534f7da2e4c303d8a318a72
       1c3c0c95956809532fcf0e2449a6b525 b16aedf5aa0de657ba637b39`,
    ),
    ciphertext: hex(
      `522dc1f099567d07f47f37a32a84427d 643a8cdcbfe5c0c97598a2bd2555d1aa
       8cb08e48590dbb3da7b08b1056828838 c5f61e6393ba7a0abcc9f662`,
    ),
    tag: hex('76fc6ece0f4e1768cddf8853bb2d551b'),
  }

  it('decrypts the known-answer vector', () => {
    const sealed = Buffer.concat([vector.iv, vector.ciphertext, vector.tag])
    assert.deepEqual(gcmDecrypt(vector.key, sealed, vector.aad), vector.plaintext)
  })

  it('refuses the vector with a different tag or AAD', () => {
    const badTag = Buffer.from(vector.tag)
    badTag[0] = (badTag[0] ?? 0) ^ 1
    assert.throws(
      () =>
        gcmDecrypt(vector.key, Buffer.concat([vector.iv, vector.ciphertext, badTag]), vector.aad),
      {
        code: 'DECRYPT_FAILED',
      },
    )
    const sealed = Buffer.concat([vector.iv, vector.ciphertext, vector.tag])
    assert.throws(() => gcmDecrypt(vector.key, sealed, Buffer.from('other')), {
      code: 'DECRYPT_FAILED',
    })
  })

  it('round-trips with a fresh IV each time', () => {
    const k = randomBytes(32)
    const a = gcmEncrypt(k, Buffer.from('same'), Buffer.alloc(0))
    const b = gcmEncrypt(k, Buffer.from('same'), Buffer.alloc(0))
    assert.notDeepEqual(a, b)
    assert.equal(gcmDecrypt(k, a, Buffer.alloc(0)).toString(), 'same')
  })
})

describe('envelope', () => {
  const dataKey = key()
  const envelope = createEnvelope([dataKey])
  const sealed = envelope.seal(Buffer.from('myTopSecretValue'), 'personal-secret:1')

  it('opens what it sealed, for the same row', () => {
    assert.equal(envelope.open(sealed, 'personal-secret:1').toString(), 'myTopSecretValue')
  })

  it('starts with version 1 and the key id, and never contains the plaintext', () => {
    assert.equal(sealed[0], 0x01)
    assert.deepEqual(sealed.subarray(1, 5), dataKey.id)
    assert.equal(sealed.includes(Buffer.from('myTopSecretValue')), false)
  })

  it('seals the same value differently every time (fresh data key and IV)', () => {
    const again = envelope.seal(Buffer.from('myTopSecretValue'), 'personal-secret:1')
    assert.notDeepEqual(again, sealed)
  })

  it('refuses a ciphertext moved to another row', () => {
    assert.throws(() => envelope.open(sealed, 'personal-secret:2'), { code: 'DECRYPT_FAILED' })
  })

  it('refuses every single-byte change, anywhere in the envelope', () => {
    for (let index = 0; index < sealed.length; index++) {
      const tampered = Buffer.from(sealed)
      tampered[index] = (tampered[index] ?? 0) ^ 0x01
      assert.throws(
        () => envelope.open(tampered, 'personal-secret:1'),
        (error: unknown) => error instanceof CryptoError,
        `byte ${index} flipped was accepted`,
      )
    }
  })

  it('refuses a truncated or extended envelope', () => {
    assert.throws(
      () => envelope.open(sealed.subarray(0, sealed.length - 1), 'personal-secret:1'),
      CryptoError,
    )
    assert.throws(
      () => envelope.open(Buffer.concat([sealed, Buffer.from([0])]), 'personal-secret:1'),
      CryptoError,
    )
    assert.throws(() => envelope.open(Buffer.alloc(10), 'personal-secret:1'), {
      code: 'BAD_FORMAT',
    })
  })

  it('refuses a value sealed under another server key', () => {
    const other = createEnvelope([key()])
    assert.throws(() => other.open(sealed, 'personal-secret:1'), { code: 'UNKNOWN_KEY' })
  })

  it('opens values sealed under an older key of its keyring (rotation)', () => {
    const newer = key()
    const rotated = createEnvelope([newer, dataKey])
    assert.equal(rotated.open(sealed, 'personal-secret:1').toString(), 'myTopSecretValue')
    assert.deepEqual(rotated.seal(Buffer.from('x'), 'a').subarray(1, 5), newer.id)
  })
})
