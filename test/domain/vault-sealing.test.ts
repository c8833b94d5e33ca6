import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import { createEnvelope, CryptoError } from '../../src/crypto/envelope.js'
import {
  openCurrentValue,
  openField,
  sealField,
  sealValue,
  secretAad,
  withOpened,
} from '../../src/domain/vault/secret-sealing.js'
import { openVersionValue, versionAad } from '../../src/domain/vault/secret-versions.js'
import { buildTestApp, openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectStatus, signUpV1, v1 } from '../helpers/v1.js'

/** Vault values at rest: each sealed for one secret and one field (docs/architecture.md "Shared semantics"). */
describe('vault sealing', () => {
  const envelope = createEnvelope([{ id: randomBytes(4), key: randomBytes(32) }])

  it('names the row and the field in the associated data', () => {
    assert.equal(secretAad(7, 'name'), 'vault-secret:7:name')
    assert.equal(secretAad(7, 'data'), 'vault-secret:7:data')
  })

  it('opens a value only for the secret and the field it was sealed for', () => {
    const sealed = sealField(envelope, 7, 'data', 'ключ 🔑')
    assert.equal(openField(envelope, 7, 'data', sealed), 'ключ 🔑')
    assert.ok(!sealed.includes(Buffer.from('ключ 🔑')))
    for (const [id, field] of [
      [8, 'data'],
      [70, 'data'],
      [7, 'name'],
    ] as const) {
      assert.throws(() => openField(envelope, id, field, sealed), CryptoError, `${id}:${field}`)
    }
  })

  it('seals and opens a whole value, its IV only when it has one', () => {
    const sealed = sealValue(envelope, 7, { name: 'n', encryptedData: 'd', iv: 'i' })
    const row = { id: 7, name_sealed: sealed.name, data_sealed: sealed.data, iv_sealed: sealed.iv }
    assert.deepEqual(openCurrentValue(envelope, row), { name: 'n', encryptedData: 'd', iv: 'i' })
    const bare = sealValue(envelope, 7, { name: 'n', encryptedData: 'd' })
    assert.equal(bare.iv, null)
    assert.equal(openCurrentValue(envelope, { ...row, iv_sealed: bare.iv }).iv, null)
    // A current value does not open as a kept version: each has its own AAD.
    assert.throws(() => openVersionValue(envelope, 7, 1, row), CryptoError)
    const kept = envelope.seal(Buffer.from('old'), versionAad(7, 1, 'name'))
    const version = { name_sealed: kept, data_sealed: kept, iv_sealed: null }
    assert.throws(() => openVersionValue(envelope, 7, 1, version), CryptoError, 'data under name')
  })

  it('wipes the opened plaintext once it was used, even when the use throws', () => {
    const sealed = sealField(envelope, 7, 'data', 'wipe me')
    let seen: Buffer | undefined
    assert.equal(
      withOpened(envelope, sealed, secretAad(7, 'data'), (plaintext) => {
        seen = plaintext
        return plaintext.toString('utf8')
      }),
      'wipe me',
    )
    assert.ok(seen?.every((byte) => byte === 0))
    assert.throws(() =>
      withOpened(envelope, sealed, secretAad(7, 'data'), (plaintext) => {
        seen = plaintext
        throw new Error('use failed')
      }),
    )
    assert.ok(seen?.every((byte) => byte === 0))
  })
})

for (const dialect of DIALECTS) {
  describe(`vault sealing in the store (${dialect})`, () => {
    it('refuses ciphertext moved to another secret, with a 500 that says nothing', async (t) => {
      const { app, ...environment } = await buildTestApp(t, { dialect })
      const owner = await signUpV1(app)
      const ids: number[] = []
      for (const value of ['first value', 'second value']) {
        const created = await expectStatus(
          v1(app, 'POST', '/secrets', {
            token: owner.token,
            body: { name: value, encrypted_data: value },
          }),
          201,
        )
        ids.push((created.body as { secret_id: number }).secret_id)
      }
      const [first, second] = ids as [number, number]
      const { store } = openServices(environment)
      const row = await store.db
        .selectFrom('vault_secrets')
        .select(['data_sealed'])
        .where('id', '=', first)
        .executeTakeFirstOrThrow()
      // Someone with write access to the database copies the first value onto the second secret.
      await store.db
        .updateTable('vault_secrets')
        .set({ data_sealed: row.data_sealed })
        .where('id', '=', second)
        .execute()

      const read = await v1(app, 'GET', '/secrets', {
        token: owner.token,
        body: { secret_id: second },
      })
      assert.deepEqual(
        { status: read.status, body: read.body },
        { status: 500, body: { error: 'Internal server error' } },
      )
      const untouched = await v1(app, 'GET', '/secrets', {
        token: owner.token,
        body: { secret_id: first },
      })
      assert.equal(
        (untouched.body as { data: { encrypted_data: string } }).data.encrypted_data,
        'first value',
      )
    })
  })
}
