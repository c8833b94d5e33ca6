import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { parseManifest } from '../../src/domain/backup/manifest.js'

/** A manifest as `strongroom backup` writes it, for a store with no checkpoint yet. */
const valid = {
  format: 'strongroom-backup',
  formatVersion: 1,
  createdAt: '2026-12-05T01:00:00.000Z',
  strongroomVersion: '0.1.0',
  schema: { migrations: ['2026-11-22T0900-accounts'] },
  keyCheck: 'kcv1:abc',
  counts: { users: 2, vault_secrets: 5 },
  audit: { treeSize: 7, rootHash: 'ab'.repeat(32), unsealed: 0, checkpoint: null },
  database: { bytes: 4096, sha256: 'cd'.repeat(32) },
}

describe('backup manifest', () => {
  it('accepts a manifest as backup writes it', () => {
    assert.deepEqual(parseManifest(structuredClone(valid)), valid)
  })

  it('names what is wrong with anything else, field by field', () => {
    assert.equal(parseManifest(null), 'the manifest is not a JSON object')
    assert.equal(parseManifest('manifest'), 'the manifest is not a JSON object')
    assert.equal(
      parseManifest({ ...valid, formatVersion: 2 }),
      'the manifest is not a Strongroom backup manifest of format 1',
    )
    assert.equal(
      parseManifest({ ...valid, format: 'other' }),
      'the manifest is not a Strongroom backup manifest of format 1',
    )
    const broken: Record<string, unknown>[] = [
      { keyCheck: 7 },
      { createdAt: null },
      { schema: {} },
      { schema: { migrations: [1] } },
      { counts: null },
      { counts: { users: 1.5 } },
      { audit: { ...valid.audit, treeSize: '7' } },
      { audit: { ...valid.audit, rootHash: 7 } },
      { audit: { ...valid.audit, checkpoint: { forged: true } } },
      { database: { bytes: -0.5, sha256: valid.database.sha256 } },
      { database: { bytes: 4096, sha256: 7 } },
      { database: { bytes: 4096, sha256: 'not-hex' } },
      { database: undefined },
    ]
    for (const change of broken) {
      assert.equal(
        parseManifest({ ...structuredClone(valid), ...change }),
        'the manifest is missing fields or has fields of the wrong type',
        JSON.stringify(change),
      )
    }
  })
})
