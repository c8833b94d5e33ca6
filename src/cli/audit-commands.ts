import type { KeyObject } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'

import type { Config } from '../config.js'
import { createCheckpointSigner, parsePublicKey } from '../crypto/checkpoint.js'
import { deriveKeys, KEY_FILE, loadRootKey } from '../crypto/keys.js'
import { CHECKPOINT_FILE, readCheckpointFile } from '../db/checkpoint-file.js'
import { openStore } from '../db/connect.js'
import { prepareStore } from '../db/prepare.js'
import { verifyStore } from '../domain/audit/audit-log.js'
import type { StoreVerification } from '../domain/audit/audit-log.js'
import { verifyExport } from '../domain/audit/export-format.js'
import type { ExportVerification } from '../domain/audit/export-format.js'
import type { LogVerification, SourcedCheckpoint } from '../domain/audit/verify-log.js'
import type { Outcome } from './commands.js'

export interface VerifyOptions {
  /** Base64 raw Ed25519 key: the key the verifier trusts. */
  publicKey?: string
  /** A checkpoint kept outside the store (a file saved from GET /v1/audit/checkpoint). */
  checkpointFile?: string
}

/** The audit public key of this installation, for `strongroom audit public-key`. */
export function showPublicKey(config: Config): Outcome {
  const key = installationKey(config)
  if (key === undefined) return noKey()
  return { code: 0, out: key.publicKey }
}

/**
 * Verifies the log in the store with the public key alone: `--public-key`, or the one this
 * installation's root key derives. The checkpoint file in DATA_DIR, and `--checkpoint`, are the
 * witnesses held outside the database that catch a cut tail or a wiped log.
 */
export async function verifyAudit(config: Config, options: VerifyOptions): Promise<Outcome> {
  const resolved = resolveKeyAndWitnesses(config, options, true)
  if ('code' in resolved) return resolved
  if (resolved.key === undefined) return noKey()
  const { key } = resolved
  const store = openStore(config.database)
  try {
    await prepareStore(store)
    return describe(await verifyStore(store.db, key, resolved.outside), 'log')
  } finally {
    await store.close()
  }
}

/** Verifies an NDJSON export away from the database. A line that is not JSON is a break there. */
export async function verifyAuditExport(
  config: Config,
  file: string,
  options: VerifyOptions,
): Promise<Outcome> {
  if (!existsSync(file)) return { code: 2, err: `No such file: ${file}` }
  const resolved = resolveKeyAndWitnesses(config, options, false)
  if ('code' in resolved) return resolved
  let lineNumber = 0
  let badLine: number | undefined
  async function* lines(): AsyncGenerator {
    const reader = createInterface({ input: createReadStream(file), crlfDelay: Infinity })
    for await (const line of reader) {
      lineNumber += 1
      if (line.trim() === '') continue
      try {
        yield JSON.parse(line) as unknown
      } catch {
        badLine = lineNumber
        return
      }
    }
  }
  const result = await verifyExport(lines(), {
    ...(resolved.pinned && resolved.key !== undefined ? { publicKey: resolved.key } : {}),
    outside: resolved.outside,
  })
  if (badLine !== undefined) {
    return {
      code: 1,
      err: `Audit export BROKEN at line ${badLine} of ${file}: not a JSON line.\n${result.checked} event(s) before it verified.`,
    }
  }
  return describe(result, 'export')
}

interface Resolved {
  /** Absent only for an export without --public-key and without this installation's keys. */
  key: KeyObject | undefined
  /** Whether the key came from the operator (flag or root key) rather than from the export. */
  pinned: boolean
  outside: SourcedCheckpoint[]
}

function resolveKeyAndWitnesses(
  config: Config,
  options: VerifyOptions,
  keyRequired: boolean,
): Resolved | Outcome {
  let key: KeyObject | undefined
  let pinned = false
  if (options.publicKey !== undefined) {
    key = parsePublicKey(options.publicKey)
    if (key === undefined) {
      return { code: 2, err: '--public-key is not a base64 Ed25519 public key (32 bytes).' }
    }
    pinned = true
  } else {
    const own = installationKey(config)
    if (own !== undefined) {
      key = parsePublicKey(own.publicKey)
      pinned = true
    }
  }
  // An export carries its own key; checked with it, an export can only be shown self-consistent.
  if (key === undefined && keyRequired) return noKey()
  const outside: SourcedCheckpoint[] = []
  const files = [
    ...(options.checkpointFile === undefined ? [] : [options.checkpointFile]),
    path.join(config.dataDir, CHECKPOINT_FILE),
  ]
  for (const file of files) {
    try {
      const checkpoint = readCheckpointFile(file)
      if (checkpoint === undefined) {
        if (file === options.checkpointFile) return { code: 2, err: `No such file: ${file}` }
        continue
      }
      outside.push({ checkpoint, source: `the checkpoint file ${file}` })
    } catch (error) {
      return { code: 2, err: error instanceof Error ? error.message : `Cannot read ${file}` }
    }
  }
  return { key, pinned, outside }
}

function installationKey(config: Config): { publicKey: string } | undefined {
  if (config.appSecret === undefined && !existsSync(path.join(config.dataDir, KEY_FILE))) {
    return undefined
  }
  return createCheckpointSigner(deriveKeys(loadRootKey(config)).auditSigning)
}

const noKey = (): Outcome => ({
  code: 2,
  err: 'No public key to verify with: pass --public-key KEY (from GET /v1/audit/public-key), or set APP_SECRET / DATA_DIR to this installation.',
})

function describe(
  result: StoreVerification | ExportVerification | LogVerification,
  what: 'log' | 'export',
): Outcome {
  const notes: string[] = []
  if ('unsealed' in result && result.unsealed > 0) {
    notes.push(
      `${result.unsealed} committed event(s) are waiting to be sealed and were not checked.`,
    )
  }
  if (result.outside !== undefined) {
    notes.push(`Checked against ${result.outside.source} (${result.outside.treeSize} event(s)).`)
  } else {
    notes.push(
      'No checkpoint held outside the store was given: a cut at a checkpoint cannot be ruled out (pass --checkpoint FILE).',
    )
  }
  if ('keyFromExport' in result && result.keyFromExport) {
    notes.push(
      'Warning: the public key was taken from the export itself, so this shows only that the export is consistent with itself; pass --public-key to pin the key you trust.',
    )
  }
  const Name = what === 'log' ? 'Audit log' : 'Audit export'
  if (result.ok) {
    return {
      code: 0,
      out: [
        `${Name} intact: ${result.checked} event(s) verified against ${result.checkpointsVerified} signed checkpoint(s); the newest covers ${result.signedSize} event(s).`,
        ...notes,
      ].join('\n'),
    }
  }
  const broken = result.firstBreak
  const where =
    broken === undefined
      ? ''
      : ` at event ${broken.seq}${broken.eventId === null ? '' : ` (${broken.eventId})`}`
  return {
    code: 1,
    err: [
      `${Name} BROKEN${where}: ${broken?.message ?? 'unknown'}.`,
      `${result.checked} event(s) before it verified.`,
    ].join('\n'),
  }
}
