import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'

/**
 * The durable-write ceiling: one small row per transaction through better-sqlite3 with the pragmas
 * Strongroom uses (WAL, synchronous=FULL), for `seconds`. Prints commits per second as JSON.
 */
const seconds = Number(process.argv[2] ?? 5)
const dir = mkdtempSync(path.join(tmpdir(), 'strongroom-raw-'))
const db = new Database(path.join(dir, 'raw.db'))
db.pragma('journal_mode = WAL')
db.pragma('synchronous = FULL')
db.exec('create table rows (id integer primary key, body blob not null)')
const insert = db.prepare('insert into rows (body) values (?)')
const payload = Buffer.alloc(160, 7)

let commits = 0
const started = performance.now()
while (performance.now() - started < seconds * 1000) {
  insert.run(payload)
  commits += 1
}
const elapsed = (performance.now() - started) / 1000
db.close()
rmSync(dir, { recursive: true, force: true })
process.stdout.write(`${JSON.stringify({ commitsPerSecond: commits / elapsed })}\n`)
