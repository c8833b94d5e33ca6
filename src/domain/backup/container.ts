import { createHash } from 'node:crypto'
import type { Hash } from 'node:crypto'
import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'

import { parseManifest } from './manifest.js'
import type { Manifest } from './manifest.js'
import type { OnProgress } from '../../db/backup/sqlite-snapshot.js'

/**
 * The backup file: one file an operator can copy anywhere, that says what it holds and proves it
 * arrived whole (README "Backup and restore").
 *
 *   strongroom-backup 1\n
 *   <manifest, one line of JSON>\n
 *   <the SQLite database, manifest.database.bytes bytes>
 *   \nsha256 <64 hex digits>\n
 *
 * The trailer is the SHA-256 of every byte before it, so a flipped byte anywhere (header,
 * manifest or database) fails the check, and a truncated file has no trailer at all. The
 * manifest also carries the database's own SHA-256 and length, which the restore checks again
 * on the bytes it extracts.
 */
const MAGIC = 'strongroom-backup 1\n'
const TRAILER_LENGTH = '\nsha256 '.length + 64 + 1
const CHUNK = 1024 * 1024
/** A manifest is a few kilobytes; anything longer is not one. */
const MAX_MANIFEST = 1024 * 1024

export class BackupFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BackupFileError'
  }
}

/** SHA-256 and length of a file, read in chunks. */
export async function hashFile(
  file: string,
  onProgress: OnProgress = () => undefined,
): Promise<{ bytes: number; sha256: string }> {
  const handle = await open(file, 'r')
  try {
    const { size } = await handle.stat()
    const hash = createHash('sha256')
    await pump(handle, 0, size, [hash], undefined, onProgress)
    return { bytes: size, sha256: hash.digest('hex') }
  } finally {
    await handle.close()
  }
}

/** Writes header, manifest, database and trailer to `target` (created, never overwritten). */
export async function writeBackupFile(
  target: string,
  manifest: Manifest,
  databaseFile: string,
  onProgress: OnProgress = () => undefined,
): Promise<string> {
  const output = await open(target, 'wx', 0o600)
  try {
    const whole = createHash('sha256')
    const head = Buffer.from(`${MAGIC}${JSON.stringify(manifest)}\n`, 'utf8')
    whole.update(head)
    await output.write(head)
    const input = await open(databaseFile, 'r')
    try {
      await pump(input, 0, manifest.database.bytes, [whole], output, onProgress)
    } finally {
      await input.close()
    }
    const digest = whole.digest('hex')
    await output.write(`\nsha256 ${digest}\n`)
    await output.sync()
    return digest
  } finally {
    await output.close()
  }
}

export interface CheckedBackup {
  manifest: Manifest
  /** Where the database starts in the file, and its length. */
  databaseOffset: number
  databaseBytes: number
}

/**
 * Reads and checks a backup file end to end before anything is restored from it: the header,
 * the trailer's checksum over everything before it, the manifest, and the database's length.
 * Throws `BackupFileError` with a sentence an operator can act on.
 */
export async function checkBackupFile(
  file: string,
  onProgress: OnProgress = () => undefined,
): Promise<CheckedBackup> {
  let handle: FileHandle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    throw new BackupFileError(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
    )
  }
  try {
    const { size } = await handle.stat()
    const start = Buffer.alloc(Math.min(size, MAGIC.length + MAX_MANIFEST + 1))
    await handle.read(start, 0, start.length, 0)
    if (!start.subarray(0, MAGIC.length).equals(Buffer.from(MAGIC))) {
      throw new BackupFileError(
        `${file} is not a Strongroom backup (it does not start with "strongroom-backup 1").`,
      )
    }
    const newline = start.indexOf(0x0a, MAGIC.length)
    if (newline < 0 || size < newline + 1 + TRAILER_LENGTH) {
      throw new BackupFileError(`${file} is truncated: it ends inside the manifest.`)
    }
    const trailer = Buffer.alloc(TRAILER_LENGTH)
    await handle.read(trailer, 0, TRAILER_LENGTH, size - TRAILER_LENGTH)
    const match = /^\nsha256 ([0-9a-f]{64})\n$/.exec(trailer.toString('latin1'))
    if (match?.[1] === undefined) {
      throw new BackupFileError(
        `${file} is truncated or damaged: it does not end with its checksum line.`,
      )
    }
    const whole = createHash('sha256')
    await pump(handle, 0, size - TRAILER_LENGTH, [whole], undefined, onProgress)
    if (whole.digest('hex') !== match[1]) {
      throw new BackupFileError(
        `${file} is corrupted: its SHA-256 does not match the checksum it was written with.`,
      )
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(start.subarray(MAGIC.length, newline).toString('utf8'))
    } catch {
      throw new BackupFileError(`${file} has a manifest that is not JSON.`)
    }
    const manifest = parseManifest(parsed)
    if (typeof manifest === 'string') throw new BackupFileError(`${file}: ${manifest}.`)
    const databaseOffset = newline + 1
    const databaseBytes = size - TRAILER_LENGTH - databaseOffset
    if (databaseBytes !== manifest.database.bytes) {
      throw new BackupFileError(
        `${file} holds ${databaseBytes} database bytes where its manifest says ${manifest.database.bytes}.`,
      )
    }
    return { manifest, databaseOffset, databaseBytes }
  } finally {
    await handle.close()
  }
}

/** Copies the database out of a checked backup into `target` (created), checking its SHA-256. */
export async function extractDatabase(
  file: string,
  checked: CheckedBackup,
  target: string,
  onProgress: OnProgress = () => undefined,
): Promise<void> {
  const input = await open(file, 'r')
  try {
    const output = await open(target, 'wx', 0o600)
    try {
      const hash = createHash('sha256')
      await pump(input, checked.databaseOffset, checked.databaseBytes, [hash], output, onProgress)
      await output.sync()
      if (hash.digest('hex') !== checked.manifest.database.sha256) {
        throw new BackupFileError(
          `${file}: the database does not match the SHA-256 in its manifest.`,
        )
      }
    } finally {
      await output.close()
    }
  } finally {
    await input.close()
  }
}

/** Reads `length` bytes from `offset` into the hashes and, if given, appends them to `output`. */
async function pump(
  input: FileHandle,
  offset: number,
  length: number,
  hashes: readonly Hash[],
  output: FileHandle | undefined,
  onProgress: OnProgress,
): Promise<void> {
  const buffer = Buffer.alloc(CHUNK)
  let done = 0
  while (done < length) {
    const { bytesRead } = await input.read(buffer, 0, Math.min(CHUNK, length - done), offset + done)
    if (bytesRead === 0) throw new BackupFileError('the file ended early while it was being read')
    const chunk = buffer.subarray(0, bytesRead)
    for (const hash of hashes) hash.update(chunk)
    if (output !== undefined) await output.write(chunk)
    done += bytesRead
    onProgress(done, length)
  }
}
