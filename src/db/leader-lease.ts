import { createRequire } from 'node:module'

import type pg from 'pg'

import type { DatabaseConfig } from '../config.js'

/**
 * Which node runs a store-wide background role (the audit sequencer). The embedded SQLite store
 * has one node, which always leads. On PostgreSQL the leader is whoever holds a session-level
 * advisory lock on its own connection: when that node dies, its connection closes, PostgreSQL
 * releases the lock and another node takes it at its next try (every `retryMs`). Leadership is
 * an optimisation, not the safety net: every sealing transaction also takes a transaction lock
 * (see sequencer-repo.ts), so two nodes that both believe they lead still cannot interleave.
 */
export interface LeaderLease {
  isLeader(): boolean
  close(): Promise<void>
}

export const LEASE_RETRY_MS = 1000

interface Stream {
  ref?: () => void
  unref?: () => void
}
const streamOf = (client: pg.Client): Stream | undefined =>
  (client as unknown as { connection?: { stream?: Stream } }).connection?.stream

/**
 * Runs one operation on the lease's connection with its socket holding the event loop open, and
 * lets go of the loop again afterwards. An idle lease must never keep a process alive by itself
 * (an app left unclosed, a CLI finishing), but a query or a close in flight must: a process
 * whose only pending work is an unreferenced socket exits with that promise still pending.
 */
async function holdingLoop<T>(client: pg.Client, operation: () => Promise<T>): Promise<T> {
  streamOf(client)?.ref?.()
  try {
    return await operation()
  } finally {
    streamOf(client)?.unref?.()
  }
}

export function createLeaderLease(
  database: DatabaseConfig,
  role: string,
  options: { retryMs?: number; onChange?: (leader: boolean) => void } = {},
): LeaderLease {
  if (database.kind !== 'postgres') return { isLeader: () => true, close: async () => undefined }
  const retryMs = options.retryMs ?? LEASE_RETRY_MS
  const driver = createRequire(import.meta.url)('pg') as typeof pg
  let client: pg.Client | undefined
  let leader = false
  let closed = false
  let trying = false
  const isOpen = (): boolean => !closed

  const setLeader = (value: boolean): void => {
    if (leader !== value) {
      leader = value
      options.onChange?.(value)
    }
  }
  const drop = (): void => {
    setLeader(false)
    const old = client
    client = undefined
    void old?.end().catch(() => undefined)
  }
  const attempt = async (): Promise<void> => {
    if (closed || leader || trying) return
    trying = true
    try {
      if (client === undefined) {
        const fresh = new driver.Client({ connectionString: database.url })
        fresh.on('error', drop) // a lost connection is a lost lease
        fresh.on('end', () => {
          if (client === fresh) drop()
        })
        await fresh.connect()
        client = fresh
      }
      const connection = client
      const result = await holdingLoop(connection, () =>
        connection.query<{ locked: boolean }>(
          `select pg_try_advisory_lock(hashtext($1 || current_schema())) as locked`,
          [`strongroom-lease:${role}:`],
        ),
      )
      // close() may have run while the query was in flight.
      if (isOpen()) setLeader(result.rows[0]?.locked === true)
    } catch {
      drop()
    } finally {
      trying = false
    }
  }
  void attempt()
  const timer = setInterval(() => void attempt(), retryMs)
  timer.unref()

  return {
    isLeader: () => leader && client !== undefined,
    async close() {
      closed = true
      clearInterval(timer)
      setLeader(false)
      const last = client
      client = undefined
      if (last !== undefined) await holdingLoop(last, () => last.end()).catch(() => undefined)
    },
  }
}
