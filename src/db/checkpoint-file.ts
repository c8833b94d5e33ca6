import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { checkpointJson, parseCheckpointJson } from '../crypto/checkpoint.js'
import type { Checkpoint } from '../crypto/checkpoint.js'

/**
 * The latest audit checkpoint, kept outside the database (docs/audit.md): whoever can rewrite the
 * database can delete the log's tail together with the checkpoints stored beside it, but not
 * this copy. `strongroom audit verify` checks the log against it; an auditor may keep their own
 * copy (`GET /v1/audit/checkpoint`) anywhere else. Written by the node that seals, replaced
 * atomically (write, then rename), so a crash leaves the previous checkpoint, never half of one.
 */
export const CHECKPOINT_FILE = 'audit-checkpoint.json'

export function writeCheckpointFile(dataDir: string, checkpoint: Checkpoint): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const file = path.join(dataDir, CHECKPOINT_FILE)
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(checkpointJson(checkpoint))}\n`, { mode: 0o644 })
  renameSync(temporary, file)
}

/** The checkpoint in `file`; undefined when there is none; throws when it is not a checkpoint. */
export function readCheckpointFile(file: string): Checkpoint | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  const parsed = parseCheckpointJson(JSON.parse(text) as unknown)
  if (parsed === undefined) throw new Error(`${file} does not hold an audit checkpoint`)
  return parsed
}
