import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import type { Checkpoint, CheckpointSigner } from '../../crypto/checkpoint.js'
import { MerkleFrontier } from '../../crypto/merkle.js'
import type { Dialect } from '../../db/connect.js'
import type { LeaderLease } from '../../db/leader-lease.js'
import type { Database } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import { insertCheckpoint } from './checkpoints-repo.js'
import { hasUnsealed } from './repo.js'
import { eventLeafHash } from './leaf.js'
import {
  findLogState,
  findNodes,
  findUnsealed,
  insertNodes,
  sealEvents,
  tryLockSealing,
  updateLogState,
} from './sequencer-repo.js'

export interface SequencerOptions {
  /** Most events sealed in one transaction. */
  batchSize: number
  /** Pause between looks at the inbox when it was empty. */
  idleMs: number
  /** A checkpoint is signed at least this often while events arrive. */
  checkpointEveryMs: number
}

export const DEFAULT_SEQUENCER_OPTIONS: SequencerOptions = {
  batchSize: 256,
  idleMs: 20,
  checkpointEveryMs: 1000,
}

/** What a batch reports when another node holds the sealing lock. */
const BUSY = -1
const FLUSH_TIMEOUT_MS = 10_000

export interface Sequencer {
  /** Starts sealing in the background (a serving node); failed batches are reported and retried. */
  start(onError?: (error: unknown) => void): void
  /** Stops the loop after the batch in flight, then seals what is left and signs a checkpoint. */
  stop(): Promise<void>
  /** Seals every event committed so far and signs a checkpoint of the result, on any node. */
  flush(): Promise<void>
  /** Seals one batch now if this node leads; how many events it sealed. */
  sealBatch(force?: boolean): Promise<number>
}

/**
 * Orders and seals audit events off the request path (docs/audit.md). Requests only insert
 * their events; this loop, on one node per store, gives each committed event the next position,
 * computes its RFC 9162 leaf hash, stores the Merkle subtrees it completes, and signs a
 * checkpoint of the tree head at least every `checkpointEveryMs`. A batch is one transaction, so
 * an event is sealed exactly once: a crash before the commit leaves the batch unsealed for the
 * next batch (on this node after a restart, or on whichever node leads next).
 */
export function createSequencer(deps: {
  db: Kysely<Database>
  dialect: Dialect
  transact: Transact
  clock: Clock
  signer: CheckpointSigner
  /** Opened when the loop starts: which node runs the loop (see db/leader-lease.ts). */
  openLease: () => LeaderLease
  /** Told of every checkpoint after it commits (the witness file outside the database). */
  onCheckpoint?: (checkpoint: Checkpoint) => void
  options?: Partial<SequencerOptions>
}): Sequencer {
  const { db, dialect, transact, clock, signer } = deps
  const options = { ...DEFAULT_SEQUENCER_OPTIONS, ...deps.options }
  // The right edge of the tree as last committed by this node; reloaded whenever the store says
  // another sequencer (another node, or this node before a restart) has moved the tree on.
  let frontier: MerkleFrontier | undefined
  let lastCheckpoint = { size: -1, at: 0 }
  let running = false
  const isRunning = (): boolean => running
  let loop: Promise<void> | undefined
  let wake: (() => void) | undefined
  let batchInFlight: Promise<number> = Promise.resolve(0)
  let lease: LeaderLease | undefined
  let onError: (error: unknown) => void = () => undefined

  const loadFrontier = async (trx: Kysely<Database>, size: number): Promise<MerkleFrontier> => {
    if (frontier?.size === size) return frontier
    const parts = MerkleFrontier.edgeOf(size)
    const stored = await findNodes(trx, parts)
    return new MerkleFrontier(
      size,
      parts.map((p) => {
        const hash = stored.get(`${p.level}:${p.index}`)
        if (hash === undefined) throw new Error(`audit tree node ${p.level}:${p.index} is missing`)
        return { level: p.level, hash: Buffer.from(hash, 'hex') }
      }),
    )
  }

  const runBatch = async (force: boolean): Promise<number> => {
    // Cadence runs on the machine's time; what is recorded (sealed_at, issued_at) on the clock's.
    const due = force || Date.now() - lastCheckpoint.at >= options.checkpointEveryMs
    if (!force && !(await hasUnsealed(db)) && (!due || frontier?.size === lastCheckpoint.size)) {
      return 0 // nothing to seal and nothing new to sign: no transaction at all
    }
    let signed: Checkpoint | undefined
    let next: MerkleFrontier | undefined
    const sealed = await transact(async (trx) => {
      if (!(await tryLockSealing(trx, dialect))) return BUSY
      const state = await findLogState(trx)
      const edge = await loadFrontier(trx, state.treeSize)
      const events = await findUnsealed(trx, options.batchSize)
      const now = clock.now()
      if (events.length === 0 && !(due && lastCheckpoint.size !== state.treeSize)) {
        next = edge
        return 0
      }
      // A copy: the cached edge moves on only once this transaction has committed.
      const tree = edge.clone()
      const positions: [number, number, string][] = []
      const nodes: [number, number, string][] = []
      for (const event of events) {
        const seq = tree.size + 1
        const leaf = eventLeafHash({ ...event, seq })
        positions.push([event.id, seq, leaf])
        for (const n of tree.append(Buffer.from(leaf, 'hex'))) {
          nodes.push([n.level, n.index, n.hash.toString('hex')])
        }
      }
      const rootHash = tree.root().toString('hex')
      if (events.length > 0) {
        const sealedAt = now.toISOString()
        await sealEvents(trx, dialect, positions, sealedAt)
        await insertNodes(trx, dialect, nodes)
        await updateLogState(trx, { treeSize: tree.size, rootHash })
      }
      if (due && tree.size > 0) {
        signed = signer.sign({ treeSize: tree.size, rootHash, issuedAt: now.toISOString() })
        await insertCheckpoint(trx, signed)
      }
      next = tree
      return events.length
    })
    frontier = next ?? frontier
    if (signed !== undefined) {
      lastCheckpoint = { size: signed.treeSize, at: Date.now() }
      deps.onCheckpoint?.(signed)
    }
    return sealed
  }

  // One batch at a time per node: a flush waits for the loop's batch instead of racing it.
  // Any node may seal (the transaction lock fences it); the lease only decides whose loop runs.
  const sealBatch = (force = false): Promise<number> => {
    const run = batchInFlight.then(
      () => runBatch(force),
      () => runBatch(force),
    )
    batchInFlight = run.catch(() => 0)
    return run
  }

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined
        resolve()
      }, ms)
      timer.unref()
      wake = () => {
        clearTimeout(timer)
        wake = undefined
        resolve()
      }
    })

  const run = async (): Promise<void> => {
    while (running) {
      let sealed = 0
      try {
        sealed = lease?.isLeader() === true ? await sealBatch() : 0
      } catch (error) {
        onError(error)
        frontier = undefined // reload from the store: the failed batch may have moved nothing
      }
      if (!isRunning()) break // stop() was called during the batch
      if (sealed < options.batchSize) await sleep(options.idleMs) // BUSY (-1) sleeps too
    }
  }

  const flush = async (): Promise<void> => {
    const deadline = Date.now() + FLUSH_TIMEOUT_MS
    for (;;) {
      const sealed = await sealBatch(true)
      if (sealed === BUSY) {
        // Another node is sealing this very moment; its batch commits within milliseconds.
        if (Date.now() > deadline)
          throw new Error('audit flush timed out: another node holds the sealing lock')
        await new Promise((resolve) => setTimeout(resolve, options.idleMs))
        continue
      }
      if (sealed < options.batchSize) return
    }
  }

  return {
    start(report) {
      if (running) return
      running = true
      if (report !== undefined) onError = report
      lease = deps.openLease()
      loop = run()
    },
    async stop() {
      if (!running) return
      running = false
      wake?.()
      await loop
      loop = undefined
      try {
        await flush() // a stopping node seals what it can; the sealing lock fences it
      } catch (error) {
        onError(error)
      } finally {
        await lease?.close()
        lease = undefined
      }
    },
    flush,
    sealBatch,
  }
}
