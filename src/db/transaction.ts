import { AsyncLocalStorage } from 'node:async_hooks'

import type SqliteDatabase from 'better-sqlite3'
import type { Kysely } from 'kysely'

import type { Store } from './connect.js'
import type { Database } from './schema.js'

/**
 * Runs `work` in one transaction: all of it commits or none of it does, and the promise settles
 * only after the commit is durable. Keep the work short and local: hash passwords before calling,
 * never await the network inside (docs/architecture.md rule 7).
 */
export type Transact = <T>(work: (trx: Kysely<Database>) => Promise<T>) => Promise<T>

/**
 * Runs one write statement durably, at the least cost the store allows: a unit of a commit group
 * on SQLite, an autocommit statement on PostgreSQL (one round trip instead of BEGIN, statement,
 * COMMIT; PostgreSQL flushes concurrent commits together by itself). For a write that stands
 * alone, such as the event that records a read.
 */
export type CommitOne = <T>(statement: (db: Kysely<Database>) => Promise<T>) => Promise<T>

export function createCommitOne(store: Store, transact: Transact): CommitOne {
  return store.dialect === 'postgres' ? (statement) => statement(store.db) : transact
}

/** Most units of work one commit carries. */
export const MAX_GROUP_SIZE = 64

export function createTransactor(store: Store): Transact {
  if (store.dialect === 'postgres') {
    // PostgreSQL: one transaction per unit, on the pool's connections in parallel. Grouping here
    // was measured slower (npm run bench: 640 → 480 audited reads a second at 32 connections):
    // a group runs its units one after another on one connection, a network round trip per
    // statement, while holding the chain head's lock, whereas separate transactions overlap
    // everything but their few statements after the head. PostgreSQL also groups WAL flushes of
    // concurrent commits by itself. A nested call joins the enclosing transaction.
    const current = new AsyncLocalStorage<Kysely<Database>>()
    return (work) => {
      const enclosing = current.getStore()
      if (enclosing !== undefined) return work(enclosing)
      return store.db.transaction().execute((trx) => current.run(trx, () => work(trx)))
    }
  }
  if (store.sqlite === undefined) throw new Error('a SQLite store without its connection')
  return createGroupCommitTransactor(store.db, store.sqlite)
}

interface Unit {
  work: (trx: Kysely<Database>) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
}

/**
 * SQLite has one writer, and a commit is only done once the disk has it, so one transaction per
 * unit would cap every durable write (and every audited read) at the disk's flush rate. Group
 * commit: units of work that arrive while a group runs wait, then run together in ONE
 * transaction, each inside its own SAVEPOINT. A unit that throws rolls back to its savepoint and
 * rejects alone; the others commit together, and each caller hears back only once a WAL flush
 * that began after the commit has finished (wal-sync.ts). That flush runs on libuv's thread
 * pool while the next group already runs, so the main thread never waits for the disk. If the
 * commit or the flush fails, every unit in the group is rejected. Units run one after another,
 * so each still sees the effects of the ones before it, exactly as with separate transactions.
 *
 * The transaction's own statements (BEGIN, SAVEPOINT, RELEASE, COMMIT) run on the connection
 * directly, compiled once: they carry no data, and going through the query builder cost more
 * than the statements themselves.
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
  sqlite: NonNullable<Store['sqlite']>,
): Transact {
  const queue: Unit[] = []
  const current = new AsyncLocalStorage<Kysely<Database>>()
  let committing = false
  const { connection, walSync } = sqlite
  const statement = (text: string) => {
    let prepared: SqliteDatabase.Statement | undefined
    return () => {
      prepared ??= connection.prepare(text)
      prepared.run()
    }
  }
  const begin = statement('begin immediate')
  const savepoint = statement('savepoint unit')
  const release = statement('release unit')
  const rollbackToSavepoint = statement('rollback to unit')
  const commit = statement('commit')

  const runGroup = async (group: Unit[]): Promise<void> => {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = []
    try {
      await db.connection().execute(async (conn) => {
        begin()
        try {
          for (const unit of group) {
            savepoint()
            try {
              const value = await current.run(conn, () => unit.work(conn))
              release()
              outcomes.push({ ok: true, value })
            } catch (error) {
              rollbackToSavepoint()
              release()
              outcomes.push({ ok: false, error })
            }
          }
          commit()
        } catch (error) {
          if (connection.inTransaction) connection.exec('rollback')
          throw error
        }
      })
    } catch (error) {
      for (const unit of group) unit.reject(error)
      return
    }
    // Nobody hears back before the group is on disk; the next group runs meanwhile.
    walSync.sync().then(
      () => {
        group.forEach((unit, i) => {
          const outcome = outcomes[i]
          if (outcome?.ok === true) unit.resolve(outcome.value)
          else unit.reject(outcome?.error)
        })
      },
      (error: unknown) => {
        for (const unit of group) unit.reject(error)
      },
    )
  }
  // better-sqlite3 runs every statement on the main thread, and a group runs start to finish in
  // microtasks. So a group must not start the moment its first unit
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
