import assert from 'node:assert/strict'
import { hkdfSync, scryptSync } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'

import {
  deriveKey,
  deriveKeys,
  rootKeyFromKeyFile,
  rootKeyFromSecret,
  warmRootKey,
} from '../../src/crypto/keys.js'

const hex = (value: string): Buffer => Buffer.from(value, 'hex')

describe('key derivation', () => {
  it('uses HKDF-SHA256 as RFC 5869 specifies (test case 1)', () => {
    // RFC 5869 Appendix A.1: the primitive deriveKey is built on.
    const okm = hkdfSync(
      'sha256',
      hex('0b'.repeat(22)),
      hex('000102030405060708090a0b0c'),
      hex('f0f1f2f3f4f5f6f7f8f9'),
      42,
    )
    assert.equal(
      Buffer.from(okm).toString('hex'),
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    )
  })

  it('gives every purpose its own key', () => {
    const keys = deriveKeys(Buffer.alloc(32, 7))
    const all = [
      keys.tokenSigning,
      keys.data.key,
      keys.auditSigning,
      keys.lookup,
      keys.oneTime,
      keys.passwordPepper,
    ]
    assert.equal(new Set(all.map((k) => k.toString('hex'))).size, all.length)
    for (const k of all) assert.equal(k.length, 32)
    assert.equal(keys.data.id.length, 4)
  })

  it('is deterministic for a root and different across roots', () => {
    assert.deepEqual(deriveKey(Buffer.alloc(32, 1), 'x'), deriveKey(Buffer.alloc(32, 1), 'x'))
    assert.notDeepEqual(deriveKey(Buffer.alloc(32, 1), 'x'), deriveKey(Buffer.alloc(32, 2), 'x'))
  })

  it('stretches APP_SECRET: same secret, same root; any other secret, another root', () => {
    const a = rootKeyFromSecret('supers3cret')
    assert.deepEqual(rootKeyFromSecret('supers3cret'), a)
    assert.notDeepEqual(rootKeyFromSecret('supers3cres'), a)
    assert.notDeepEqual(rootKeyFromSecret(' supers3cret'), a)
    assert.equal(a.length, 32)
  })
})

describe('warming the APP_SECRET stretch', () => {
  it('computes off the main thread exactly what the synchronous stretch computes', async () => {
    const secret = `warm-${Math.random()}`
    const expected = scryptSync(secret, 'strongroom/app-secret/v1', 32, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    })
    await warmRootKey(secret)
    assert.deepEqual(rootKeyFromSecret(secret), expected)
  })
})

describe('generated key file', () => {
  it('is created once, owner-only, and reused', (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strongroom-keys-'))
    t.after(() => {
      rmSync(dir, { recursive: true, force: true })
    })
    const dataDir = path.join(dir, 'data')
    const first = rootKeyFromKeyFile(dataDir)
    const second = rootKeyFromKeyFile(dataDir)
    assert.deepEqual(first, second)
    assert.equal(first.length, 32)
    assert.equal(statSync(path.join(dataDir, 'master.key')).mode & 0o777, 0o600)
    assert.equal(statSync(dataDir).mode & 0o777, 0o700)
    assert.notEqual(readFileSync(path.join(dataDir, 'master.key'), 'utf8').trim(), '')
  })

  it('is different in every data directory', (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strongroom-keys-'))
    t.after(() => {
      rmSync(dir, { recursive: true, force: true })
    })
    assert.notDeepEqual(
      rootKeyFromKeyFile(path.join(dir, 'a')),
      rootKeyFromKeyFile(path.join(dir, 'b')),
    )
  })
})
