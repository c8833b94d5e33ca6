import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'

import { showPublicKey, verifyAudit, verifyAuditExport } from '../../src/cli/audit-commands.js'
import { loadConfig } from '../../src/config.js'

/**
 * The audit commands' refusals, called in process: what `strongroom audit …` answers before it
 * touches a store when its inputs are wrong (the CLI tests run the happy paths in a process).
 */
describe('audit commands (refusals)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'strongroom-audit-cli-'))
  const keyless = loadConfig({ DATA_DIR: dir }).config
  const keyed = loadConfig({ DATA_DIR: dir, APP_SECRET: 'audit-commands-test-secret' }).config
  after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const file = (name: string, text: string): string => {
    const target = path.join(dir, name)
    writeFileSync(target, text)
    return target
  }

  it('needs a key: none configured and none given is a usage error', async () => {
    assert.equal(showPublicKey(keyless).code, 2)
    assert.match(showPublicKey(keyless).err ?? '', /No public key to verify with/)
    assert.equal((await verifyAudit(keyless, {})).code, 2)
    const shown = showPublicKey(keyed)
    assert.equal(shown.code, 0)
    assert.match(shown.out ?? '', /^[A-Za-z0-9+/_-]{43}=?$/)
  })

  it('refuses a missing export, a bad --public-key and a missing --checkpoint file', async () => {
    const missing = await verifyAuditExport(keyed, path.join(dir, 'absent.ndjson'), {})
    assert.equal(missing.code, 2)
    assert.match(missing.err ?? '', /No such file/)
    const exported = file('export.ndjson', '{"kind":"header"}\n')
    const badKey = await verifyAuditExport(keyed, exported, { publicKey: 'not-a-key' })
    assert.equal(badKey.code, 2)
    assert.match(badKey.err ?? '', /--public-key is not a base64 Ed25519 public key/)
    const noCheckpoint = await verifyAuditExport(keyed, exported, {
      checkpointFile: path.join(dir, 'absent.json'),
    })
    assert.equal(noCheckpoint.code, 2)
    assert.match(noCheckpoint.err ?? '', /No such file/)
  })

  it('names a line that is not JSON, and an export that is not one', async () => {
    const garbled = file('garbled.ndjson', '\n{not json\n')
    const result = await verifyAuditExport(keyed, garbled, {})
    assert.equal(result.code, 1)
    assert.match(result.err ?? '', /BROKEN at line 2 of .*: not a JSON line/)
    const other = await verifyAuditExport(keyed, file('other.ndjson', '{"kind":"header"}\n'), {})
    assert.equal(other.code, 1)
    assert.match(other.err ?? '', /not a Strongroom audit export/)
  })
})
