import { closeSync, fdatasync, openSync } from 'node:fs'

/**
 * Makes SQLite's committed writes durable without stopping the event loop.
 *
 * better-sqlite3 runs every statement on the main thread, so with `synchronous=FULL` each commit
 * waited for the disk there: nothing else (no request parsing, no other answer) ran during any
 * flush, and one slow disk stalled the whole process. The store runs with `synchronous=NORMAL`
 * instead, where a commit only writes the WAL, and this flushes the WAL file with `fdatasync` on
 * libuv's thread pool; a writer is told "committed" only once a flush that started after its
 * commit has finished. That is the same order of writes as FULL (frames written, then the WAL
 * synced, then the caller answered), so an acknowledged write survives power loss as before, but
 * the next group of writes runs while the disk works. Checkpoints keep their own syncs: with
 * NORMAL, SQLite syncs the WAL before copying it into the database and the database after.
 *
 * Flushes coalesce: callers that arrive while one is in flight share the next one, so a burst of
 * commits costs two flushes, not one each.
 *
 * A failed flush is final: the kernel may have dropped the dirty pages, so a later flush that
 * succeeds proves nothing about them. Every waiting and later caller gets the error and the
 * process must restart (SQLite replays the WAL as it is on disk).
 */
export interface WalSync {
  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void>
  /** Waits for flushes in flight, then lets go of the file. */
  close(): Promise<void>
}

export function createWalSync(walPath: string | undefined): WalSync {
  if (walPath === undefined)
    return { sync: () => Promise.resolve(), close: () => Promise.resolve() }
  let fd: number | undefined
  let failure: Error | undefined
  let inFlight: Promise<void> | undefined
  let next: { promise: Promise<void>; start: () => void } | undefined

  const flush = (): Promise<void> =>
    new Promise((resolve, reject) => {
      // Opened on first use: SQLite creates the WAL file with the first write. The file keeps
      // its inode while the store's connection is open (SQLite only deletes it when the last
      // connection closes), and fdatasync flushes the file whatever descriptor names it.
      try {
        fd ??= openSync(walPath, 'r')
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)))
        return
      }
      fdatasync(fd, (error) => {
        if (error === null) resolve()
        else reject(error)
      })
    })

  const start = (): Promise<void> => {
    const run = flush().then(
      () => {
        inFlight = undefined
        if (next !== undefined) next.start()
      },
      (error: unknown) => {
        failure = new Error(
          `the store could not make writes durable (fdatasync of the WAL failed: ${(error as Error).message}); restart the process`,
        )
        inFlight = undefined
        next?.start()
        throw failure
      },
    )
    inFlight = run
    return run
  }

  return {
    sync() {
      if (failure !== undefined) return Promise.reject(failure)
      if (inFlight === undefined) return start()
      // The flush in flight may have begun before this caller's commit: wait for the next one,
      // which every caller arriving meanwhile shares.
      if (next === undefined) {
        let begin: () => void = () => undefined
        const promise = new Promise<void>((resolve, reject) => {
          begin = () => {
            next = undefined
            if (failure !== undefined) reject(failure)
            else start().then(resolve, reject)
          }
        })
        next = { promise, start: begin }
      }
      return next.promise
    },
    async close() {
      await Promise.allSettled([inFlight, next?.promise])
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    },
  }
}
