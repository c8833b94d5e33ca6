/**
 * One row (id = 1): the key check value of the root that wraps the keyring, and the base key
 * wrapped under it. Every key that is not a data key (token signing, audit signing, lookup,
 * one-time, password pepper) is derived from the base key, so changing the root re-wraps one
 * row instead of changing them. Neither column is a key in the clear.
 */
export interface KeyringRootTable {
  id: number
  check_value: string
  base_wrapped: Buffer
  updated_at: string
}

/**
 * Lifecycle of a data-key version: `staged` (nodes learn it and can open with it), `active`
 * (the highest active version seals new values), `retired` (no ciphertext uses it any more; its
 * wrapped key is gone).
 */
export type DataKeyState = 'staged' | 'active' | 'retired'

/** One data-key version, wrapped by the root's key-encryption key. */
export interface DataKeysTable {
  version: number
  /** The 4 bytes every envelope sealed under this version carries in its header. */
  key_id: Buffer
  wrapped: Buffer | null
  state: DataKeyState
  created_at: string
  retired_at: string | null
}

export interface KeyringTables {
  keyring_root: KeyringRootTable
  data_keys: DataKeysTable
}
