import { readFileSync } from 'node:fs'

import type { Config } from '../../config.js'
import { loadRootKey, rootKeyFromSecret } from '../../crypto/keys.js'

/** The root keys a process holds: the one it runs with, and during a root rotation the one before. */
export interface Roots {
  current: Buffer
  previous: Buffer | undefined
}

/**
 * The configured roots. The previous root comes from APP_SECRET_PREVIOUS or from the key file
 * named by KEY_FILE_PREVIOUS; it is only read, never created.
 */
export function loadRoots(config: Config): Roots {
  return {
    current: loadRootKey({ appSecret: config.appSecret, dataDir: config.dataDir }),
    previous: previousRoot(config),
  }
}

function previousRoot(config: Config): Buffer | undefined {
  if (config.appSecretPrevious !== undefined) return rootKeyFromSecret(config.appSecretPrevious)
  if (config.keyFilePrevious === undefined) return undefined
  const key = Buffer.from(readFileSync(config.keyFilePrevious, 'utf8').trim(), 'base64')
  if (key.length !== 32) {
    throw new Error(
      `KEY_FILE_PREVIOUS (${config.keyFilePrevious}) does not hold a 32-byte base64 key`,
    )
  }
  return key
}
