import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import fc from 'fast-check'

import {
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  nodeHash,
  rangeHash,
  verifyConsistency,
  verifyInclusion,
} from '../../src/crypto/merkle.js'
import type { Hash, SubtreeReader } from '../../src/crypto/merkle.js'

/** The element, or a failed test: an index these tests compute is always in range. */
function must<T>(value: T | undefined): T {
  assert.ok(value !== undefined)
  return value
}

const unhex = (h: string): Buffer => Buffer.from(h, 'hex')
const hex = (hashes: readonly Hash[]): string[] => hashes.map((h) => h.toString('hex'))

// The Certificate Transparency reference leaves and tree heads (RFC 6962 test data, as used by
// every conforming implementation), and two of its published proofs.
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((data) => leafHash(unhex(data)))
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
]

/** A SubtreeReader over an in-memory list of leaves, computing each subtree naively. */
function readerOf(leaves: readonly Hash[]): SubtreeReader {
  const naive = (start: number, end: number): Hash => {
    if (end - start === 1) return must(leaves[start])
    let k = 1
    while (k * 2 < end - start) k *= 2
    return nodeHash(naive(start, start + k), naive(start + k, end))
  }
  return (level, index) => Promise.resolve(naive(index * 2 ** level, (index + 1) * 2 ** level))
}

/** Stores what a frontier reports as completed, as the sequencer does, and reads it back. */
function storedTree(leaves: readonly Hash[]): { read: SubtreeReader; frontier: MerkleFrontier } {
  const nodes = new Map<string, Hash>()
  const frontier = new MerkleFrontier()
  for (const leaf of leaves) {
    for (const n of frontier.append(leaf)) nodes.set(`${n.level}:${n.index}`, n.hash)
  }
  const read: SubtreeReader = (level, index) => {
    const hash = nodes.get(`${level}:${index}`)
    return hash === undefined
      ? Promise.reject(new Error(`no node ${level}:${index}`))
      : Promise.resolve(hash)
  }
  return { read, frontier }
}

const manyLeaves = (n: number): Hash[] =>
  Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`event-${i}`)))

describe('merkle tree (RFC 9162)', () => {
  it('reproduces the reference tree heads, whole and as a frontier', async () => {
    assert.equal(
      EMPTY_ROOT.toString('hex'),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
    const frontier = new MerkleFrontier()
    assert.equal(frontier.root().toString('hex'), EMPTY_ROOT.toString('hex'))
    for (let n = 1; n <= LEAVES.length; n++) {
      frontier.append(must(LEAVES[n - 1]))
      assert.equal(frontier.root().toString('hex'), ROOTS[n - 1], `root of ${n}`)
      assert.equal((await rangeHash(readerOf(LEAVES), 0, n)).toString('hex'), ROOTS[n - 1])
    }
  })

  it('gives the published inclusion and consistency proofs', async () => {
    const read = readerOf(LEAVES)
    assert.deepEqual(hex(await inclusionProof(read, 0, 8)), [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ])
    assert.deepEqual(hex(await inclusionProof(read, 5, 8)), [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ])
    const consistency = await consistencyProof(read, 2, 8)
    assert.equal(
      consistency[0]?.toString('hex'),
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    )
    assert.ok(verifyConsistency(2, 8, unhex(must(ROOTS[1])), unhex(must(ROOTS[7])), consistency))
  })

  it('stores exactly the nodes proofs need: every proof from stored nodes verifies, in every size', async () => {
    const leaves = manyLeaves(70)
    const { read, frontier } = storedTree(leaves)
    const roots: Hash[] = []
    for (let n = 1; n <= leaves.length; n++) roots.push(await rangeHash(readerOf(leaves), 0, n))
    assert.equal(frontier.root().toString('hex'), roots.at(-1)?.toString('hex'))
    for (let size = 1; size <= leaves.length; size += 3) {
      const root = must(roots[size - 1])
      assert.equal((await rangeHash(read, 0, size)).toString('hex'), root.toString('hex'))
      for (let i = 0; i < size; i++) {
        const proof = await inclusionProof(read, i, size)
        assert.ok(verifyInclusion(must(leaves[i]), i, size, proof, root), `leaf ${i} of ${size}`)
        // The same proof proves nothing about a neighbour, or about this leaf at another index.
        if (size > 1) {
          assert.ok(!verifyInclusion(must(leaves[(i + 1) % size]), i, size, proof, root))
          assert.ok(!verifyInclusion(must(leaves[i]), (i + 1) % size, size, proof, root))
        }
      }
      for (let first = 1; first <= size; first += 2) {
        const proof = await consistencyProof(read, first, size)
        assert.ok(
          verifyConsistency(first, size, must(roots[first - 1]), root, proof),
          `${first} → ${size}`,
        )
      }
    }
  })

  it('rejects any altered proof or root', async () => {
    const leaves = manyLeaves(37)
    const { read } = storedTree(leaves)
    const root = await rangeHash(read, 0, 37)
    const root20 = await rangeHash(read, 0, 20)
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 36 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        async (index, at, flip) => {
          const proof = await inclusionProof(read, index, 37)
          const victim = at % proof.length
          const altered = proof.map((h, i) =>
            i === victim ? Buffer.from(h.map((b, j) => (j === 0 ? b ^ (flip | 1) : b))) : h,
          )
          assert.ok(!verifyInclusion(must(leaves[index]), index, 37, altered, root))
          assert.ok(!verifyInclusion(must(leaves[index]), index, 37, proof.slice(0, -1), root))
        },
      ),
      { numRuns: 200 },
    )
    const consistency = await consistencyProof(read, 20, 37)
    assert.ok(verifyConsistency(20, 37, root20, root, consistency))
    assert.ok(!verifyConsistency(20, 37, root, root20, consistency))
    assert.ok(!verifyConsistency(19, 37, root20, root, consistency))
    assert.ok(!verifyConsistency(20, 37, root20, root, []))
  })

  it('rebuilds a frontier from its stored right edge and continues identically', () => {
    const leaves = manyLeaves(45)
    const { frontier } = storedTree(leaves.slice(0, 29))
    const nodes = new Map<string, Hash>()
    const whole = new MerkleFrontier()
    for (const leaf of leaves.slice(0, 29))
      for (const n of whole.append(leaf)) nodes.set(`${n.level}:${n.index}`, n.hash)
    const rebuilt = new MerkleFrontier(
      29,
      MerkleFrontier.edgeOf(29).map((p) => ({
        level: p.level,
        hash: must(nodes.get(`${p.level}:${p.index}`)),
      })),
    )
    for (const leaf of leaves.slice(29)) {
      frontier.append(leaf)
      rebuilt.append(leaf)
      assert.equal(rebuilt.root().toString('hex'), frontier.root().toString('hex'))
    }
  })
})
