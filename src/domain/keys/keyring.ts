import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import { constantTimeEqual } from '../../crypto/compare.js'
import { CryptoError, createEnvelope } from '../../crypto/envelope.js'
import type { Envelope } from '../../crypto/envelope.js'
import { keyCheckValue } from '../../crypto/key-check.js'
import { deriveKeys } from '../../crypto/keys.js'
import type { DataKey, Keys } from '../../crypto/keys.js'
import type { Database } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import { insertDataKey, insertRootIfAbsent, listDataKeys, readRoot } from './keyring-repo.js'
import type { Roots } from './roots.js'
import { anySealedValue } from './sealed-columns.js'
import { kekOf, unwrapKey, wrapKey } from './wrapping.js'

/**
 * The keyring a process works with. The store holds a base key and every data-key version,
 * wrapped under a key-encryption key derived from the root (APP_SECRET or the key file), and a
 * key check value of that root. Opening it checks the root first: a process whose root is not
 * the store's refuses to start instead of sealing, signing and hashing with wrong keys.
 *
 * The base key is the root a store was first started with, so a store from before the keyring
 * keeps every key it had: its data key becomes version 1, and the token, audit, lookup,
 * one-time and password keys stay derived from the same bytes. After `keys rewrap` the root may
 * change and the base key stays.
 */
export interface Keyring {
  /** Every key but the data keys, derived from the base key. */
  readonly keys: Keys
  /** Seals under the current data-key version; opens under any version still held. */
  readonly envelope: Envelope
  currentVersion(): number
  /** The key id each version's ciphertexts carry, and whether it is retired. */
  versions(): readonly KeyVersion[]
  /** Which configured root opened the keyring (`previous` until `keys rewrap`). */
  openedWith(): 'current' | 'previous'
  /** Why this process's keys no longer match the store, or undefined when they do. */
  problem(): string | undefined
  /** Re-reads the keyring: new versions, retirements, a changed root. */
  refresh(): Promise<void>
  /** Refreshes every `intervalMs` until `stop`, so rotations reach this process without a restart. */
  start(intervalMs?: number): void
  stop(): void
  /** Key material for re-wrapping under a new root (src/domain/keys/rotation.ts). */
  material(): { base: Buffer; dataKeys: ReadonlyMap<number, Buffer> }
  readonly roots: Roots
}

export interface KeyVersion {
  version: number
  keyId: Buffer
  state: 'staged' | 'active' | 'retired'
}

/** How often a serving process re-reads the keyring. A rotation waits a few of these. */
export const KEYRING_REFRESH_MS = 1000

/** The exit code of a process refused for keys that do not match the store. */
export const KEY_MISMATCH_EXIT_CODE = 3

export class KeyMismatchError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'KeyMismatchError'
  }
}

const MISMATCH_ADVICE =
  'APP_SECRET changed, or the key file (DATA_DIR/master.key) was lost or replaced. Start with the root the store was sealed under; to change the root, start with the new one and the old one as APP_SECRET_PREVIOUS (or KEY_FILE_PREVIOUS) and run `strongroom keys rewrap`. Nothing was written.'

/** The version-1 data key of a base key: exactly the data key every store had before the keyring. */
export const legacyDataKey = (base: Buffer): DataKey => deriveKeys(base).data

export async function openKeyring(options: {
  db: Kysely<Database>
  transact: Transact
  roots: Roots
  clock: Clock
}): Promise<Keyring> {
  const { db, transact, roots, clock } = options
  const checks = {
    current: keyCheckValue(roots.current),
    previous: roots.previous === undefined ? undefined : keyCheckValue(roots.previous),
  }
  const match = (stored: string): 'current' | 'previous' | undefined => {
    if (constantTimeEqual(stored, checks.current)) return 'current'
    if (checks.previous !== undefined && constantTimeEqual(stored, checks.previous)) {
      return 'previous'
    }
    return undefined
  }
  // `match` only answers `previous` when there is a previous root.
  const rootOf = (which: 'current' | 'previous'): Buffer =>
    which === 'current' || roots.previous === undefined ? roots.current : roots.previous

  let root = await readRoot(db)
  if (root === undefined) {
    await initialise(db, transact, roots.current, clock)
    root = await readRoot(db)
    if (root === undefined) throw new Error('the keyring was not created')
  }
  const matched = match(root.check_value)
  if (matched === undefined) {
    throw new KeyMismatchError(
      `The keys of this process do not match the store: the store's key check value belongs to another root. ${MISMATCH_ADVICE}`,
    )
  }
  let which: 'current' | 'previous' = matched
  let kek = kekOf(rootOf(which))
  let base: Buffer
  try {
    base = unwrapKey(kek, root.base_wrapped, 'base')
  } catch {
    throw new KeyMismatchError(
      'The key check value matches but the keyring does not open under this root: the keyring rows were altered. Nothing was written.',
    )
  }
  const keys = deriveKeys(base)

  const held = new Map<number, Buffer>()
  let versions: KeyVersion[] = []
  let current: DataKey = keys.data
  let currentVersion = 1
  let inner: Envelope = createEnvelope([current])
  let problem: string | undefined

  const load = async (): Promise<void> => {
    const stored = await readRoot(db)
    const now = stored === undefined ? undefined : match(stored.check_value)
    if (now === undefined) {
      problem = 'keys-mismatch'
      return
    }
    if (now !== which) {
      which = now
      kek = kekOf(rootOf(which))
    }
    const rows = await listDataKeys(db)
    let unreadable = false
    for (const row of rows) {
      if (row.state === 'retired') {
        held.delete(row.version)
      } else if (!held.has(row.version) && row.wrapped !== null) {
        try {
          held.set(row.version, unwrapKey(kek, row.wrapped, `data-key/${row.version}`))
        } catch {
          unreadable = true
        }
      }
    }
    problem = unreadable ? 'keys-mismatch' : undefined
    versions = rows.map((row) => ({ version: row.version, keyId: row.key_id, state: row.state }))
    const usable = rows.flatMap((row) => {
      const key = held.get(row.version)
      return key === undefined ? [] : [{ row, key: { id: row.key_id, key } }]
    })
    const active = usable.filter(({ row }) => row.state === 'active').at(-1)
    if (active === undefined) throw new KeyMismatchError('The keyring has no usable data key.')
    currentVersion = active.row.version
    current = active.key
    const others = usable.filter((entry) => entry !== active).map((entry) => entry.key)
    inner = createEnvelope([current, ...others])
  }
  await load()

  let refreshing: Promise<void> | undefined
  const refresh = (): Promise<void> => {
    refreshing ??= load().finally(() => {
      refreshing = undefined
    })
    return refreshing
  }

  const envelope: Envelope = {
    seal: (plaintext, aad) => inner.seal(plaintext, aad),
    open(sealed, aad) {
      try {
        return inner.open(sealed, aad)
      } catch (error) {
        if (!(error instanceof CryptoError) || error.code !== 'UNKNOWN_KEY') throw error
        const keyId = Buffer.from(sealed.subarray(1, 5))
        const known = versions.find((version) => version.keyId.equals(keyId))
        if (known?.state === 'retired') {
          throw new CryptoError(
            'UNKNOWN_KEY',
            `sealed under data-key version ${known.version}, which is retired and destroyed: refusing to open it`,
          )
        }
        // Another process may have staged a version this one has not read yet.
        void refresh().catch(() => undefined)
        throw new CryptoError(
          'UNKNOWN_KEY',
          'sealed under a data-key version this process does not hold',
        )
      }
    },
  }

  let timer: NodeJS.Timeout | undefined
  return {
    keys,
    envelope,
    roots,
    currentVersion: () => currentVersion,
    versions: () => versions,
    openedWith: () => which,
    problem: () => problem,
    refresh,
    start(intervalMs = KEYRING_REFRESH_MS) {
      timer ??= setInterval(() => {
        refresh().catch(() => {
          // The store is unreachable; readiness says so, and the next tick tries again.
        })
      }, intervalMs)
      timer.unref()
    },
    stop() {
      clearInterval(timer)
      timer = undefined
    },
    material: () => ({ base, dataKeys: held }),
  }
}

/**
 * First start with keys: binds the store to this root. A store that already holds ciphertexts
 * (one from before the keyring) must have been sealed under this root's data key, or the start
 * is refused: the first start after an upgrade must not adopt a wrong APP_SECRET.
 */
async function initialise(
  db: Kysely<Database>,
  transact: Transact,
  root: Buffer,
  clock: Clock,
): Promise<void> {
  const data = legacyDataKey(root)
  const sample = await anySealedValue(db)
  if (sample !== undefined && !sample.subarray(1, 5).equals(data.id)) {
    throw new KeyMismatchError(
      `The keys of this process do not match the store: its secrets were sealed under another root. ${MISMATCH_ADVICE}`,
    )
  }
  const kek = kekOf(root)
  const at = clock.now().toISOString()
  await transact(async (trx) => {
    await insertRootIfAbsent(trx, {
      check_value: keyCheckValue(root),
      base_wrapped: wrapKey(kek, root, 'base'),
      updated_at: at,
    })
    // Another process may have bound the store first, perhaps to another root: then this row
    // is skipped, and the check value read back decides.
    await insertDataKey(trx, {
      version: 1,
      key_id: data.id,
      wrapped: wrapKey(kek, data.key, 'data-key/1'),
      state: 'active',
      created_at: at,
    })
  })
}

/** A keyring that only derives from one root, for a process that has no store to read one from. */
export function staticKeyring(root: Buffer): Keyring {
  const keys = deriveKeys(root)
  return {
    keys,
    envelope: createEnvelope([keys.data]),
    roots: { current: root, previous: undefined },
    currentVersion: () => 1,
    versions: () => [{ version: 1, keyId: keys.data.id, state: 'active' }],
    openedWith: () => 'current',
    problem: () => undefined,
    refresh: () => Promise.resolve(),
    start: () => undefined,
    stop: () => undefined,
    material: () => ({ base: root, dataKeys: new Map([[1, keys.data.key]]) }),
  }
}
