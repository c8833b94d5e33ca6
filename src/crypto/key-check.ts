import { createHmac } from 'node:crypto'

import { deriveKey } from './keys.js'

/**
 * A key check value: a short public fingerprint of a root key that the store keeps, so a start
 * with another APP_SECRET or a lost key file is recognised before it touches anything. It is an
 * HMAC-SHA256 (RFC 2104) under a key HKDF-derived from the root for this purpose only, so it
 * reveals nothing about the root or any key used for data, and cannot be computed without the
 * root. Backups carry it to refuse a restore under other keys.
 */
export function keyCheckValue(root: Buffer): string {
  const key = deriveKey(root, 'key-check/v1')
  try {
    return `kcv1:${createHmac('sha256', key).update('strongroom key check').digest('base64url')}`
  } finally {
    key.fill(0)
  }
}
