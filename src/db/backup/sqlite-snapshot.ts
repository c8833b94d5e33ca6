import SqliteDatabase from 'better-sqlite3'

/** Reports how far a long job is: `done` of `total` units. */
export type OnProgress = (done: number, total: number) => void

/** Pages copied per step: small enough for a smooth progress bar, large enough to be quick. */
const PAGES_PER_STEP = 1024

/**
 * Copies a live SQLite store into `destination` with SQLite's online backup API, consistent as of
 * one instant while the server keeps writing. The source connection first opens a read
 * transaction and holds it to the end: in WAL mode that pins one snapshot of the database, so
 * every step copies pages of the same instant, writers (another process) are never blocked, and
 * their commits never restart the copy. Whatever a writer was told was committed before the
 * read transaction began is in the snapshot.
 */
export async function snapshotSqlite(
  source: string,
  destination: string,
  onProgress: OnProgress = () => undefined,
): Promise<void> {
  const connection = new SqliteDatabase(source, { fileMustExist: true })
  try {
    connection.pragma('busy_timeout = 5000')
    connection.exec('BEGIN')
    // A deferred BEGIN reads nothing yet; the first read takes the snapshot.
    connection.prepare('SELECT count(*) FROM sqlite_master').get()
    try {
      await connection.backup(destination, {
        progress({ totalPages, remainingPages }) {
          onProgress(totalPages - remainingPages, totalPages)
          return PAGES_PER_STEP
        },
      })
    } finally {
      connection.exec('COMMIT')
    }
  } finally {
    connection.close()
  }
}
