import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** How often the checkpointer looks at the WAL. An idle look costs a read of the WAL index. */
export const CHECKPOINT_INTERVAL_MS = 100

/**
 * Past this many pages the writer checkpoints by itself, on the main thread: only a safety net,
 * for when the checkpointer cannot keep up or is not running (the CLI, a test's bare store).
 */
export const WRITER_AUTOCHECKPOINT_PAGES = 10_000

/**
 * Copies the WAL back into the database file on a worker thread, with its own connection.
 *
 * SQLite checkpoints inside the commit that crosses its threshold (1000 pages by default), on
 * the connection that commits: with better-sqlite3 that is the main thread, which then waited for
 * a few megabytes to be written and two fsyncs, every few hundred milliseconds under load: the
 * tail of every latency distribution. A PASSIVE checkpoint never waits for readers or writers,
 * so the worker copies what it can while the main thread goes on committing, and SQLite starts
 * the WAL over from the beginning once everything is copied.
 *
 * The worker's code is plain JavaScript evaluated from this string, so it runs the same from
 * `dist/` and under tsx.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.file)
db.pragma('busy_timeout = 0')
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch (error) {
    // SQLITE_BUSY and friends: the next look tries again.
  }
}
const timer = setInterval(checkpoint, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  checkpoint()
  db.close()
  parentPort.close()
})
`

export interface WalCheckpointer {
  stop(): Promise<void>
}

export function startWalCheckpointer(
  file: string,
  intervalMs = CHECKPOINT_INTERVAL_MS,
): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      file,
      intervalMs,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
    },
  })
  // The worker never keeps a process alive; a store that is closed stops it.
  worker.unref()
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      resolve()
    }),
  )
  // A checkpointer that dies leaves the writer's own safety net in place; nothing is lost.
  worker.on('error', () => undefined)
  return {
    async stop() {
      // Waiting for the worker to finish must hold the process open, or it could exit first.
      worker.ref()
      worker.postMessage('stop')
      await exited
    },
  }
}
