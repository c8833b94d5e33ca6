import { AsyncLocalStorage } from 'node:async_hooks'

import { sql } from 'kysely'
import type { Kysely } from 'kysely'

import type { Store } from './connect.js'
import type { Database } from './schema.js'

/**
 * Runs `work` in one transaction: all of it commits or none of it does, and the promise settles
 * only after the commit is durable. Keep the work short and local: hash passwords before calling,
 * never await the network inside (ARCHITECTURE.md rule 7).
 */
export type Transact = <T>(work: (trx: Kysely<Database>) => Promise<T>) => Promise<T>

/** Most units of work one commit carries. */
export const MAX_GROUP_SIZE = 64

export function createTransactor(store: Store): Transact {
  // PostgreSQL: every transaction that records an audit event holds the chain head's row lock
  // until its commit is flushed, so one transaction per request serialised the whole service on
  // commit latency (about 640 audited requests a second here, at any concurrency). Grouping
  // pays that lock and that flush once per group, exactly as on SQLite.
  //
  // On PostgreSQL a group takes the chain head's lock first thing. Almost every unit appends an
  // audit event, so groups serialise on that lock anyway; taking it first means no group can
  // hold a row another group's unit needs while waiting for the head (a deadlock that would fail
  // a whole group), and nodes take turns group by group.
  return createGroupCommitTransactor(
    store.db,
    store.dialect === 'postgres'
      ? async (conn) => {
          await sql`begin`.execute(conn)
          await sql`select seq from audit_chain_head where id = 1 for update`.execute(conn)
        }
      : async (conn) => {
          await sql`begin immediate`.execute(conn)
        },
  )
}

interface Unit {
  work: (trx: Kysely<Database>) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
}

/**
 * Every commit is a flush to disk (SQLite `synchronous=FULL`, PostgreSQL's WAL flush), which
 * would cap every durable write (and every audited read) at the disk's flush rate. Group
 * commit: units of work that arrive while a commit is in flight wait, then run together in ONE
 * transaction, each inside its own SAVEPOINT. A unit that throws rolls back to its savepoint and rejects alone; the others commit
 * together with one fsync, and each caller hears back only once that commit is durable. If the
 * commit itself fails, every unit in it is rejected. Units run one after another, so each still
 * sees the effects of the ones before it, exactly as with separate transactions.
 *
 * BEGIN IMMEDIATE takes the write lock up front: a deferred BEGIN that reads and then writes
 * fails at once with SQLITE_BUSY when another process (the CLI) wrote in between; IMMEDIATE waits
 * for the lock under busy_timeout instead.
 *
 * A unit that calls `transact` again joins the transaction it is already in (AsyncLocalStorage
 * tells), instead of waiting for a group that waits for it.
 */
function createGroupCommitTransactor(
  db: Kysely<Database>,
  begin: (conn: Kysely<Database>) => Promise<void>,
): Transact {
  const queue: Unit[] = []
  const current = new AsyncLocalStorage<Kysely<Database>>()
  let committing = false

  const runGroup = async (group: Unit[]): Promise<void> => {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = []
    try {
      await db.connection().execute(async (conn) => {
        await begin(conn)
        try {
          for (const unit of group) {
            await sql`savepoint unit`.execute(conn)
            try {
              const value = await current.run(conn, () => unit.work(conn))
              await sql`release unit`.execute(conn)
              outcomes.push({ ok: true, value })
            } catch (error) {
              await sql`rollback to unit`.execute(conn)
              await sql`release unit`.execute(conn)
              outcomes.push({ ok: false, error })
            }
          }
          await sql`commit`.execute(conn)
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined)
          throw error
        }
      })
    } catch (error) {
      for (const unit of group) unit.reject(error)
      return
    }
    group.forEach((unit, i) => {
      const outcome = outcomes[i]
      if (outcome?.ok === true) unit.resolve(outcome.value)
      else unit.reject(outcome?.error)
    })
  }

  // better-sqlite3 runs every statement, the commit's fsync included, on the main thread, and a
  // group runs start to finish in microtasks. So a group must not start the moment its first unit
  // arrives: it starts on the next turn of the event loop (setImmediate), after every request
  // already read from the network has queued its unit, and the loop turns again between groups.
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
  const drain = async (): Promise<void> => {
    committing = true
    try {
      while (queue.length > 0) {
        await nextTurn()
        await runGroup(queue.splice(0, MAX_GROUP_SIZE))
      }
    } finally {
      committing = false
    }
  }

  return <T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> => {
    const enclosing = current.getStore()
    if (enclosing !== undefined) return work(enclosing)
    return new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
      if (!committing) void drain()
    })
  }
}
