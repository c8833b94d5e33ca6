import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import { createEnvelope, CryptoError } from '../../src/crypto/envelope.js'
import { openField, sealField, secretAad } from '../../src/domain/vault/secret-sealing.js'
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
