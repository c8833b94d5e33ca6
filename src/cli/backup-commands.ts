import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import path from 'node:path'

import SqliteDatabase from 'better-sqlite3'

import type { Config } from '../config.js'
import {
  createCheckpointSigner,
  parseCheckpointJson,
  parsePublicKey,
} from '../crypto/checkpoint.js'
import { keyCheckValue } from '../crypto/key-check.js'
import { deriveKeys, KEY_FILE, loadRootKey } from '../crypto/keys.js'
import { writeCheckpointFile } from '../db/checkpoint-file.js'
import { openStore } from '../db/connect.js'
import {
  BackupFileError,
  checkBackupFile,
  extractDatabase,
  hashFile,
  writeBackupFile,
} from '../domain/backup/container.js'
import { newManifest, readSnapshotFacts } from '../domain/backup/manifest.js'
import type { Manifest, SnapshotFacts } from '../domain/backup/manifest.js'
import { snapshotSqlite } from '../db/backup/sqlite-snapshot.js'
import { MIGRATIONS } from '../db/migrations/index.js'
import { verifyStore } from '../domain/audit/audit-log.js'
import { readKeyCheck } from '../domain/keys/key-check-repo.js'
import type { Outcome } from './commands.js'
import { progressPrinter } from './progress.js'

const POSTGRES = (command: string): Outcome => ({
  code: 2,
  err: `strongroom ${command} works on the embedded SQLite store. For PostgreSQL use pg_dump and pg_restore (README "Backup and restore").`,
})

/** Root key of this installation, or a refusal when it has none (a key file is never created here). */
function rootKey(config: Config): Buffer | Outcome {
  if (config.appSecret === undefined && !existsSync(path.join(config.dataDir, KEY_FILE))) {
    return {
      code: 2,
      err: `No keys: set APP_SECRET, or put this installation's ${KEY_FILE} in DATA_DIR (${config.dataDir}). A backup never holds a key.`,
    }
  }
  return loadRootKey(config)
}

/** Removes a SQLite file and its WAL companions. */
function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true })
}

/**
 * `strongroom backup FILE`: a consistent snapshot of the running store, with its manifest and
 * checksum, in one new file (src/domain/backup/container.ts). Runs beside a serving node.
 */
export async function backup(config: Config, file: string): Promise<Outcome> {
  if (config.database.kind !== 'sqlite') return POSTGRES('backup')
  const source = config.database.file
  if (source === ':memory:') return { code: 2, err: 'An in-memory store cannot be backed up.' }
  if (!existsSync(source)) return { code: 1, err: `No store at ${source}; nothing to back up.` }
  if (existsSync(file)) return { code: 2, err: `${file} already exists; name a new file.` }
  const snapshot = `${file}.snapshot-${process.pid}`
  const partial = `${file}.partial-${process.pid}`
  try {
    await withProgress('Copying the store', (report) => snapshotSqlite(source, snapshot, report))

    const store = openStore({ kind: 'sqlite', file: snapshot })
    let facts: SnapshotFacts
    let stored: string | undefined
    try {
      facts = await readSnapshotFacts(store.db)
      stored = await readKeyCheck(store.db).catch(() => undefined)
    } finally {
      await store.close()
    }
    // The store's own check value names the root it was sealed under; a store no keyring has
    // started on yet is named by the root this command is configured with, as the server is.
    let keyCheck = stored
    if (keyCheck === undefined) {
      const root = rootKey(config)
      if (!Buffer.isBuffer(root)) return root
      keyCheck = keyCheckValue(root)
    }
    const database = await withProgress('Checksumming   ', (report) => hashFile(snapshot, report))
    const manifest = newManifest(facts, keyCheck, database, new Date())
    const digest = await withProgress('Writing        ', (report) =>
      writeBackupFile(partial, manifest, snapshot, report),
    )
    renameSync(partial, file)
    return { code: 0, out: summary(`Backed up to ${file}`, manifest, digest) }
  } finally {
    removeDatabase(snapshot)
    rmSync(partial, { force: true })
  }
}

/**
 * `strongroom restore FILE`: checks the file whole, checks it was sealed under the keys this
 * installation is configured with, rebuilds the store beside its final place, verifies it
 * (SQLite's integrity check, the manifest's counts and audit head, the audit log against its
 * signed checkpoints) and only then moves it into the empty data directory.
 */
export async function restore(config: Config, file: string): Promise<Outcome> {
  if (config.database.kind !== 'sqlite') return POSTGRES('restore')
  const target = config.database.file
  if (target === ':memory:') return { code: 2, err: 'Cannot restore into an in-memory store.' }
  if (!existsSync(file)) return { code: 2, err: `No such file: ${file}` }
  if (existsSync(target) || existsSync(`${target}-wal`)) {
    return { code: 2, err: `${target} already exists: restore only into an empty data directory.` }
  }
  const others = existsSync(config.dataDir)
    ? readdirSync(config.dataDir).filter((name) => name !== KEY_FILE)
    : []
  if (others.length > 0) {
    return {
      code: 2,
      err: `DATA_DIR (${config.dataDir}) is not empty (${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''}): restore only into an empty data directory (it may hold ${KEY_FILE}).`,
    }
  }
  const root = rootKey(config)
  if (!Buffer.isBuffer(root)) return root

  let checked
  try {
    checked = await withProgress('Checking  ', (report) => checkBackupFile(file, report))
  } catch (error) {
    return refusedFile(error)
  }
  const { manifest } = checked
  if (manifest.keyCheck !== keyCheckValue(root)) {
    return {
      code: 1,
      err: `${file} was sealed under other keys than this installation's (key check ${manifest.keyCheck}). Restore it with the APP_SECRET or ${KEY_FILE} of the installation that made it. Nothing was restored.`,
    }
  }
  const known = new Set(MIGRATIONS.map(([name]) => name))
  const unknown = manifest.schema.migrations.filter((name) => !known.has(name))
  if (unknown.length > 0) {
    return {
      code: 1,
      err: `${file} was made by a newer Strongroom (schema ${unknown.join(', ')}); restore it with that version or later. Nothing was restored.`,
    }
  }

  mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 })
  const staged = `${target}.restoring-${process.pid}`
  try {
    try {
      await withProgress('Extracting', (report) => extractDatabase(file, checked, staged, report))
    } catch (error) {
      return refusedFile(error)
    }
    const problem = await verifyRestored(staged, manifest, root)
    if (typeof problem === 'string') {
      return { code: 1, err: `${file} does not restore cleanly: ${problem} Nothing was restored.` }
    }
    renameSync(staged, target)
    const checkpoint =
      manifest.audit.checkpoint === null
        ? undefined
        : parseCheckpointJson(manifest.audit.checkpoint)
    if (checkpoint !== undefined) writeCheckpointFile(config.dataDir, checkpoint)
    return {
      code: 0,
      out: `${summary(`Restored ${file} into ${target}`, manifest)}\nAudit log intact: ${problem.checked} event(s) verified against ${problem.checkpointsVerified} signed checkpoint(s).`,
    }
  } finally {
    removeDatabase(staged)
  }
}

/**
 * What is wrong with the staged store, or, when it is what the manifest describes and its audit
 * log verifies, how much of the log was checked.
 */
async function verifyRestored(
  staged: string,
  manifest: Manifest,
  root: Buffer,
): Promise<string | { checked: number; checkpointsVerified: number }> {
  const raw = new SqliteDatabase(staged, { fileMustExist: true })
  try {
    const result = raw.pragma('integrity_check', { simple: true })
    if (result !== 'ok') return `SQLite's integrity check failed (${String(result)}).`
  } catch (error) {
    return `it is not a readable SQLite database (${error instanceof Error ? error.message : 'error'}).`
  } finally {
    raw.close()
  }
  const store = openStore({ kind: 'sqlite', file: staged })
  try {
    const facts = await readSnapshotFacts(store.db)
    for (const [table, count] of Object.entries(manifest.counts)) {
      if (facts.counts[table] !== count) {
        return `table ${table} has ${facts.counts[table] ?? 0} rows where the manifest says ${count}.`
      }
    }
    if (
      facts.audit.treeSize !== manifest.audit.treeSize ||
      facts.audit.rootHash !== manifest.audit.rootHash
    ) {
      return 'its audit head differs from the one in the manifest.'
    }
    const publicKey = parsePublicKey(
      createCheckpointSigner(deriveKeys(root).auditSigning).publicKey,
    )
    if (publicKey === undefined) throw new Error('the audit signing key has no public key')
    const checkpoint =
      manifest.audit.checkpoint === null
        ? undefined
        : parseCheckpointJson(manifest.audit.checkpoint)
    const verification = await verifyStore(
      store.db,
      publicKey,
      checkpoint === undefined ? [] : [{ checkpoint, source: 'the backup manifest' }],
    )
    if (!verification.ok) {
      return `its audit log is broken at event ${verification.firstBreak?.seq ?? '?'}: ${verification.firstBreak?.message ?? 'unknown'}.`
    }
    return verification
  } finally {
    await store.close()
  }
}

/** A backup file the checks refuse is the command's answer; any other failure goes on. */
const refusedFile = (error: unknown): Outcome => {
  if (!(error instanceof BackupFileError)) throw error
  return { code: 1, err: `${error.message} Nothing was restored.` }
}

/** One step of a command behind its progress bar, whose line ends however the step ends. */
async function withProgress<T>(
  label: string,
  step: (report: (done: number, total: number) => void) => Promise<T>,
): Promise<T> {
  const progress = progressPrinter({ label })
  try {
    return await step((done, total) => {
      progress.update(done, total)
    })
  } finally {
    progress.finish()
  }
}

function summary(what: string, manifest: Manifest, digest?: string): string {
  const count = (table: string) => manifest.counts[table] ?? 0
  const checkpoint = manifest.audit.checkpoint
  return [
    `${what}:`,
    `  taken ${manifest.createdAt} by Strongroom ${manifest.strongroomVersion}; schema ${manifest.schema.migrations.at(-1) ?? 'empty'}`,
    `  ${count('users')} user(s), ${count('vault_secrets')} vault secret(s) with ${count('vault_secret_versions')} kept version(s), ${count('personal_secrets')} personal secret(s), ${count('one_time_secrets')} one-time secret(s)`,
    `  audit: ${count('audit_events')} event(s), ${manifest.audit.treeSize} sealed, root ${manifest.audit.rootHash}; ${checkpoint === null ? 'no signed checkpoint yet' : `latest signed checkpoint covers ${checkpoint.tree_size}`}`,
    `  key check ${manifest.keyCheck}`,
    ...(digest === undefined ? [] : [`  sha256 ${digest}`]),
  ].join('\n')
}
