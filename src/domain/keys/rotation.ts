import { randomBytes } from 'node:crypto'

import type { Clock } from '../../clock.js'
import type { Store } from '../../db/connect.js'
import type { Transact } from '../../db/transaction.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AuditEvent } from '../audit/types.js'
import { systemContext } from '../audit/types.js'
import { keyCheckValue } from '../../crypto/key-check.js'
import {
  insertDataKey,
  listDataKeys,
  readRoot,
  retireDataKey,
  setDataKeyState,
  setWrapped,
  updateRoot,
} from './keyring-repo.js'
import { KEYRING_REFRESH_MS } from './keyring.js'
import type { Keyring } from './keyring.js'
import {
  countByKeyId,
  describeColumn,
  readBatch,
  replaceSealed,
  SEALED_COLUMNS,
} from './sealed-columns.js'
import { kekOf, wrapKey } from './wrapping.js'

/**
 * Key rotation on a live store (README "Keys and rotation"). Every step is safe to repeat and to
 * run while nodes serve: a new version is first `staged` (every node learns to open with it),
 * then made `active` (every node seals with it), and only then are existing ciphertexts
 * re-sealed, batch by batch, each batch one transaction. A version is retired, and its key
 * destroyed, only when no ciphertext uses it.
 */
export interface RotationDeps {
  store: Store
  transact: Transact
  keyring: Keyring
  clock: Clock
  /** Each step that changes the keyring is an audit event, in the same transaction. */
  audit: Pick<AuditLog, 'append'>
}

const keysEvent = (
  type: 'keys.rotate' | 'keys.retire' | 'keys.rewrap',
  details: Record<string, number>,
): AuditEvent => ({
  type,
  outcome: 'success',
  actorId: null,
  details,
  context: systemContext('strongroom-cli'),
})

/** How long a staged version waits before it seals: a few refreshes of every serving node. */
export const STAGE_WAIT_MS = 3 * KEYRING_REFRESH_MS

export class RotationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RotationError'
  }
}

const requireCurrentRoot = (keyring: Keyring): void => {
  if (keyring.openedWith() === 'previous') {
    throw new RotationError(
      'The keyring is still wrapped under the previous root: run `strongroom keys rewrap` first.',
    )
  }
}

/**
 * Adds a new data-key version in state `staged`, or returns the one an interrupted rotation
 * left staged. Nothing seals with it yet.
 */
export async function stageVersion(deps: RotationDeps): Promise<number> {
  const { transact, keyring, clock } = deps
  requireCurrentRoot(keyring)
  return transact(async (trx) => {
    const rows = await listDataKeys(trx)
    const staged = rows.find((row) => row.state === 'staged')
    if (staged !== undefined) return staged.version
    const version = Math.max(0, ...rows.map((row) => row.version)) + 1
    let keyId = randomBytes(4)
    while (rows.some((row) => row.key_id.equals(keyId))) keyId = randomBytes(4)
    const key = randomBytes(32)
    try {
      await insertDataKey(trx, {
        version,
        key_id: keyId,
        wrapped: wrapKey(kekOf(keyring.roots.current), key, `data-key/${version}`),
        state: 'staged',
        created_at: clock.now().toISOString(),
      })
    } finally {
      key.fill(0)
    }
    return version
  })
}

/** Makes a staged version the one every node seals with. */
export async function activateVersion(deps: RotationDeps, version: number): Promise<void> {
  await deps.transact(async (trx) => {
    if (await setDataKeyState(trx, version, 'staged', 'active')) {
      await deps.audit.append(trx, keysEvent('keys.rotate', { version }))
    }
  })
  await deps.keyring.refresh()
}

export interface VersionStatus {
  version: number
  state: 'staged' | 'active' | 'retired'
  current: boolean
  /** Ciphertexts sealed under this version, per column and in all. */
  ciphertexts: number
  byColumn: Record<string, number>
}

/** Every version with how many ciphertexts each still seals; `unknown` counts foreign key ids. */
export async function keyStatus(
  deps: Pick<RotationDeps, 'store' | 'keyring'>,
): Promise<{ versions: VersionStatus[]; unknown: number }> {
  const { store, keyring } = deps
  await keyring.refresh()
  const versions = keyring.versions().map((version): VersionStatus & { hex: string } => ({
    version: version.version,
    state: version.state,
    current: version.version === keyring.currentVersion(),
    ciphertexts: 0,
    byColumn: {},
    hex: version.keyId.toString('hex'),
  }))
  let unknown = 0
  for (const column of SEALED_COLUMNS) {
    const counts = await countByKeyId(store.db, store.dialect, column)
    for (const [hex, n] of counts) {
      const version = versions.find((entry) => entry.hex === hex)
      if (version === undefined) {
        unknown += n
        continue
      }
      version.ciphertexts += n
      version.byColumn[describeColumn(column)] = n
    }
  }
  return {
    versions: versions.map((entry) => ({
      version: entry.version,
      state: entry.state,
      current: entry.current,
      ciphertexts: entry.ciphertexts,
      byColumn: entry.byColumn,
    })),
    unknown,
  }
}

export interface ResealProgress {
  done: number
  total: number
  failed: number
}

export interface ResealResult extends ResealProgress {
  interrupted: boolean
}

/**
 * Re-seals every ciphertext not under the current version, `batchSize` rows per transaction.
 * Resumable by construction: it looks for what is left, so a run stopped by a crash or a signal
 * continues where the last committed batch ended. `signal` stops it between batches.
 */
export async function reseal(
  deps: RotationDeps,
  options: {
    batchSize?: number
    signal?: AbortSignal
    onProgress?: (progress: ResealProgress) => void
  } = {},
): Promise<ResealResult> {
  const { store, transact, keyring } = deps
  const batchSize = options.batchSize ?? 200
  const { versions } = await keyStatus(deps)
  const total = versions
    .filter((version) => !version.current)
    .reduce((sum, version) => sum + version.ciphertexts, 0)
  const currentId = keyring.versions().find((v) => v.version === keyring.currentVersion())?.keyId
  if (currentId === undefined) throw new RotationError('the current version has no key id')
  const progress: ResealProgress = { done: 0, total, failed: 0 }
  options.onProgress?.({ ...progress })

  for (const column of SEALED_COLUMNS) {
    let after: number[] | undefined
    for (;;) {
      if (options.signal?.aborted === true) return { ...progress, interrupted: true }
      const batch = await readBatch(store.db, column, after, batchSize)
      if (batch.length === 0) break
      after = batch[batch.length - 1]?.key ?? after
      const replacements = batch.flatMap((row) => {
        if (row.sealed.subarray(1, 5).equals(currentId)) return []
        try {
          const plaintext = keyring.envelope.open(row.sealed, column.aad(row.key))
          try {
            return [{ row, sealed: keyring.envelope.seal(plaintext, column.aad(row.key)) }]
          } finally {
            plaintext.fill(0)
          }
        } catch {
          progress.failed += 1
          return []
        }
      })
      if (replacements.length === 0) continue
      await transact(async (trx) => {
        for (const { row, sealed } of replacements) {
          // A row written meanwhile already holds a value under the current version.
          await replaceSealed(trx, column, row, sealed)
        }
      })
      progress.done += replacements.length
      options.onProgress?.({ ...progress })
    }
  }
  return { ...progress, interrupted: false }
}

/** Retires every active, non-current version that no ciphertext uses. Returns the versions retired. */
export async function retireUnused(deps: RotationDeps): Promise<number[]> {
  const { keyring, transact, clock, store } = deps
  const { versions } = await keyStatus(deps)
  const unused = versions.filter(
    (version) => version.state === 'active' && !version.current && version.ciphertexts === 0,
  )
  const retired: number[] = []
  for (const version of unused) {
    await transact(async (trx) => {
      // Counted again inside the transaction, so a value sealed meanwhile keeps its version.
      const hex = keyring.versions().find((entry) => entry.version === version.version)?.keyId
      let uses = 0
      for (const column of SEALED_COLUMNS) {
        uses +=
          (await countByKeyId(trx, store.dialect, column)).get(hex?.toString('hex') ?? '') ?? 0
      }
      if (hex !== undefined && uses === 0) {
        await retireDataKey(trx, version.version, clock.now().toISOString())
        await deps.audit.append(trx, keysEvent('keys.retire', { version: version.version }))
        retired.push(version.version)
      }
    })
  }
  await keyring.refresh()
  return retired
}

/**
 * Re-wraps the base key and every data key under the current root (APP_SECRET or the key
 * file), for a process that opened the keyring with the previous one. Afterwards the previous
 * root is no longer needed. One transaction; the check value is compared and set in it.
 */
export async function rewrap(deps: RotationDeps): Promise<'rewrapped' | 'already-current'> {
  const { keyring, transact, clock } = deps
  if (keyring.openedWith() === 'current') return 'already-current'
  const previous = keyring.roots.previous
  if (previous === undefined) throw new RotationError('no previous root is configured')
  const { base, dataKeys } = keyring.material()
  const kek = kekOf(keyring.roots.current)
  const done = await transact(async (trx) => {
    const root = await readRoot(trx)
    const rows = await listDataKeys(trx)
    if (root === undefined) return false
    for (const row of rows) {
      const key = dataKeys.get(row.version)
      if (row.state === 'retired') continue
      if (key === undefined) {
        throw new RotationError(`data-key version ${row.version} is not loaded; run rewrap again`)
      }
      await setWrapped(trx, row.version, wrapKey(kek, key, `data-key/${row.version}`))
    }
    const updated = await updateRoot(
      trx,
      {
        check_value: keyCheckValue(keyring.roots.current),
        base_wrapped: wrapKey(kek, base, 'base'),
        updated_at: clock.now().toISOString(),
      },
      keyCheckValue(previous),
    )
    if (updated) await deps.audit.append(trx, keysEvent('keys.rewrap', { versions: rows.length }))
    return updated
  })
  if (!done) throw new RotationError('the keyring changed while re-wrapping; run rewrap again')
  await keyring.refresh()
  return 'rewrapped'
}
