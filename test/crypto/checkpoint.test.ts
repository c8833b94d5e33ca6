import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import {
  checkpointText,
  createCheckpointSigner,
  parsePublicKey,
  verifyCheckpoint,
} from '../../src/crypto/checkpoint.js'

const seed = (byte: number): Buffer => Buffer.alloc(32, byte)
const unsigned = {
  treeSize: 42,
  rootHash: 'ab'.repeat(32),
  issuedAt: '2026-12-03T10:00:00.000Z',
}

describe('audit checkpoints (Ed25519)', () => {
  it('signs a checkpoint that its public key alone verifies', () => {
    const signer = createCheckpointSigner(seed(1))
    const key = parsePublicKey(signer.publicKey)
    assert.ok(key !== undefined)
    const checkpoint = signer.sign(unsigned)
    assert.equal(checkpoint.keyId, signer.keyId)
    assert.ok(verifyCheckpoint(key, checkpoint))
    assert.equal(
      checkpointText(unsigned),
      `strongroom-audit/v1\n42\n${Buffer.from('ab'.repeat(32), 'hex').toString('base64')}\n2026-12-03T10:00:00.000Z\n`,
    )
  })

  it('derives the same key from the same seed, and RFC 8032 keys from known seeds', () => {
    // RFC 8032 §7.1, TEST 1: secret key 9d61b19d… has public key d75a9801….
    const rfc = createCheckpointSigner(
      Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'),
    )
    assert.equal(
      Buffer.from(rfc.publicKey, 'base64').toString('hex'),
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    )
    assert.equal(
      createCheckpointSigner(seed(7)).publicKey,
      createCheckpointSigner(seed(7)).publicKey,
    )
  })

  it('refuses a checkpoint with any field changed, another key, or a bad signature', () => {
    const signer = createCheckpointSigner(seed(1))
    const key = parsePublicKey(signer.publicKey)
    const otherKey = parsePublicKey(createCheckpointSigner(seed(2)).publicKey)
    assert.ok(key !== undefined && otherKey !== undefined)
    const good = signer.sign(unsigned)
    for (const forged of [
      { ...good, treeSize: 41 },
      { ...good, rootHash: 'cd'.repeat(32) },
      { ...good, issuedAt: '2026-12-03T10:00:01.000Z' },
      { ...good, signature: Buffer.alloc(64).toString('base64') },
      { ...good, signature: 'not base64 at all' },
      { ...good, rootHash: 'AB'.repeat(32) },
    ]) {
      assert.equal(verifyCheckpoint(key, forged), false, JSON.stringify(forged))
    }
    assert.equal(verifyCheckpoint(otherKey, good), false)
    // Signed by the other key under this key's id: still refused.
    const impostor = { ...createCheckpointSigner(seed(2)).sign(unsigned), keyId: signer.keyId }
    assert.equal(verifyCheckpoint(key, impostor), false)
  })

  it('accepts only canonical 32-byte public keys', () => {
    const { publicKey } = createCheckpointSigner(seed(3))
    assert.ok(parsePublicKey(publicKey) !== undefined)
    assert.equal(parsePublicKey(publicKey.slice(0, -4)), undefined)
    assert.equal(parsePublicKey(''), undefined)
    assert.equal(parsePublicKey(Buffer.alloc(33).toString('base64')), undefined)
  })
})
