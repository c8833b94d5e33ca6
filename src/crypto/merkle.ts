import { createHash } from 'node:crypto'

/**
 * The Merkle tree of RFC 9162 (Certificate Transparency 2.0, §2.1), as pure functions over
 * 32-byte SHA-256 hashes. Leaves and interior nodes are hashed with distinct prefixes (0x00 and
 * 0x01), so no leaf can pose as a subtree. A tree of size n splits at the largest power of two
 * below n, which makes every subtree the proofs need either an aligned complete subtree (stored
 * once, never changed) or built from a few of them.
 *
 * Proof generation reads hashes through `SubtreeReader`, so the audit log can answer from its
 * stored nodes and tests from an array; verification needs nothing but the proof and two roots.
 */

export type Hash = Buffer

const LEAF_PREFIX = Buffer.from([0x00])
const NODE_PREFIX = Buffer.from([0x01])

/** SHA-256 of the empty string: the root of the empty tree (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Hash = createHash('sha256').digest()

export const leafHash = (data: Buffer | Uint8Array): Hash =>
  createHash('sha256').update(LEAF_PREFIX).update(data).digest()

export const nodeHash = (left: Hash, right: Hash): Hash =>
  createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest()

/** The largest power of two strictly less than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/**
 * The hash of the aligned complete subtree of 2^level leaves starting at leaf `index * 2^level`.
 * Level 0 is the leaf hash itself.
 */
export type SubtreeReader = (level: number, index: number) => Promise<Hash>

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0

/** MTH(D[start:end]) from stored aligned subtrees: at most 2·log2(n) reads. */
export async function rangeHash(read: SubtreeReader, start: number, end: number): Promise<Hash> {
  const n = end - start
  if (n <= 0) return EMPTY_ROOT
  if (isPowerOfTwo(n) && start % n === 0) return read(Math.log2(n), start / n)
  const k = splitPoint(n)
  return nodeHash(await rangeHash(read, start, start + k), await rangeHash(read, start + k, end))
}

/** The audit path of leaf `index` in the tree of the first `size` leaves (RFC 9162 §2.1.3.1). */
export async function inclusionProof(
  read: SubtreeReader,
  index: number,
  size: number,
): Promise<Hash[]> {
  if (!(index >= 0 && index < size))
    throw new RangeError(`leaf ${index} is not in a tree of ${size}`)
  const path: Hash[] = []
  const walk = async (m: number, start: number, n: number): Promise<void> => {
    if (n === 1) return
    const k = splitPoint(n)
    if (m < k) {
      await walk(m, start, k)
      path.push(await rangeHash(read, start + k, start + n))
    } else {
      await walk(m - k, start + k, n - k)
      path.push(await rangeHash(read, start, start + k))
    }
  }
  await walk(index, 0, size)
  return path
}

/** Proof that the tree of size `first` is a prefix of the tree of size `second` (§2.1.4.1). */
export async function consistencyProof(
  read: SubtreeReader,
  first: number,
  second: number,
): Promise<Hash[]> {
  if (!(first > 0 && first <= second)) {
    throw new RangeError(`no consistency proof from ${first} to ${second}`)
  }
  const proof: Hash[] = []
  const sub = async (m: number, start: number, n: number, complete: boolean): Promise<void> => {
    if (m === n) {
      if (!complete) proof.push(await rangeHash(read, start, start + n))
      return
    }
    const k = splitPoint(n)
    if (m <= k) {
      await sub(m, start, k, complete)
      proof.push(await rangeHash(read, start + k, start + n))
    } else {
      await sub(m - k, start + k, n - k, false)
      proof.push(await rangeHash(read, start, start + k))
    }
  }
  await sub(first, 0, second, true)
  return proof
}

/** Checks an audit path (RFC 9162 §2.1.3.2). */
export function verifyInclusion(
  leaf: Hash,
  index: number,
  size: number,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  if (!(index >= 0 && index < size)) return false
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of proof) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && r.equals(root)
}

/** Checks a consistency proof between two tree heads (RFC 9162 §2.1.4.2). */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Hash,
  secondRoot: Hash,
  proof: readonly Hash[],
): boolean {
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot)
  if (!(first > 0 && first < second) || proof.length === 0) return false
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof]
  let fn = first - 1
  let sn = second - 1
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  const [head, ...rest] = path
  if (head === undefined) return false
  let fr = head
  let sr = head
  for (const c of rest) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot)
}

/**
 * An append-only tree kept as its right edge (one complete subtree per set bit of the size):
 * O(log n) memory to append leaves and read the root. `append` reports every aligned subtree that
 * became complete, so the sequencer can store each node once.
 */
export class MerkleFrontier {
  /** Complete subtrees of the right edge, largest first, with their levels. */
  private readonly edge: { level: number; hash: Hash }[]
  size: number

  constructor(size = 0, edge: readonly { level: number; hash: Hash }[] = []) {
    this.size = size
    this.edge = [...edge]
  }

  /** The levels and indexes of the subtrees that make up the right edge of a tree of `size`. */
  static edgeOf(size: number): { level: number; index: number }[] {
    const parts: { level: number; index: number }[] = []
    for (let level = 31; level >= 0; level--) {
      const width = 2 ** level
      if (Math.floor(size / width) % 2 === 1) {
        parts.push({ level, index: Math.floor(size / width) - 1 })
      }
    }
    return parts
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.size, this.edge)
  }

  /** Appends one leaf hash; returns the nodes it completed, the leaf first. */
  append(leaf: Hash): { level: number; index: number; hash: Hash }[] {
    const index = this.size
    const completed = [{ level: 0, index, hash: leaf }]
    let level = 0
    let hash = leaf
    let position = index
    while (position % 2 === 1) {
      const left = this.edge.pop()
      if (left?.level !== level) throw new Error('merkle frontier is corrupt')
      hash = nodeHash(left.hash, hash)
      level += 1
      position = Math.floor(position / 2)
      completed.push({ level, index: position, hash })
    }
    this.edge.push({ level, hash })
    this.size += 1
    return completed
  }

  root(): Hash {
    let acc: Hash | undefined
    for (let i = this.edge.length - 1; i >= 0; i--) {
      const part = this.edge[i]
      if (part === undefined) continue
      acc = acc === undefined ? part.hash : nodeHash(part.hash, acc)
    }
    return acc ?? EMPTY_ROOT
  }
}
