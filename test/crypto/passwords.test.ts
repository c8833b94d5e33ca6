import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import argon2 from 'argon2'

import { createPasswordHasher } from '../../src/crypto/passwords.js'

describe('argon2id', () => {
  it('computes RFC 9106 test vector 5.3 (argon2id) with the native binding we ship', async () => {
    const tag = await argon2.hash(Buffer.alloc(32, 0x01), {
      type: argon2.argon2id,
      version: 0x13,
      memoryCost: 32,
      timeCost: 3,
      parallelism: 4,
      salt: Buffer.alloc(16, 0x02),
      secret: Buffer.alloc(8, 0x03),
      associatedData: Buffer.alloc(12, 0x04),
      hashLength: 32,
      raw: true,
    })
    assert.equal(
      tag.toString('hex'),
      '0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659',
    )
  })
})

describe('password hasher', () => {
  const hasher = createPasswordHasher(randomBytes(32))

  it('hashes with argon2id at no less than OWASP cost (m=19 MiB, t=2, p=1)', async () => {
    const hash = await hasher.hash('pass')
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/)
    assert.equal(hash.includes('pass'), false)
  })

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hasher.hash('correct horse')
    assert.equal(await hasher.verify(hash, 'correct horse'), true)
    assert.equal(await hasher.verify(hash, 'correct horsE'), false)
    assert.equal(await hasher.verify(hash, ''), false)
  })

  it('salts: the same password never hashes the same twice', async () => {
    assert.notEqual(await hasher.hash('pass'), await hasher.hash('pass'))
  })

  it('peppers: a hash is useless under another server key', async () => {
    const hash = await hasher.hash('pass')
    const otherServer = createPasswordHasher(randomBytes(32))
    assert.equal(await otherServer.verify(hash, 'pass'), false)
  })

  it('answers false, never throws, for a malformed hash', async () => {
    assert.equal(await hasher.verify('not-a-hash', 'pass'), false)
    assert.equal(await hasher.verify('', 'pass'), false)
  })

  it('has a dummy verify for unknown users that always fails', async () => {
    assert.equal(await hasher.verifyDummy('anything'), false)
  })

  it('derives 32 bytes of key material that depend on passphrase and salt', async () => {
    const salt = randomBytes(16)
    const a = await hasher.deriveKey('phrase', salt)
    assert.equal(a.length, 32)
    assert.deepEqual(await hasher.deriveKey('phrase', salt), a)
    assert.notDeepEqual(await hasher.deriveKey('phrasE', salt), a)
    assert.notDeepEqual(await hasher.deriveKey('phrase', randomBytes(16)), a)
  })
})
