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
        // The lease must never keep a process alive by itself (an app left unclosed, a CLI
        // finishing): its socket does not hold the event loop open.
        ;(
          fresh as unknown as { connection?: { stream?: { unref?: () => void } } }
        ).connection?.stream?.unref?.()
        client = fresh
      }
      const result = await client.query<{ locked: boolean }>(
        `select pg_try_advisory_lock(hashtext($1 || current_schema())) as locked`,
        [`strongroom-lease:${role}:`],
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
      await client?.end().catch(() => undefined)
      client = undefined
    },
  }
}
