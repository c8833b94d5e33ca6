import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import SqliteDatabase from 'better-sqlite3'

import { buildApp } from '../../src/app.js'
import { describeColumn, SEALED_COLUMNS } from '../../src/domain/keys/sealed-columns.js'
import { createTestEnvironment } from '../helpers/app.js'

describe('sealed columns', () => {
  it('rotation knows every column that holds an envelope', async (t) => {
    const environment = await createTestEnvironment(t)
    await (await buildApp(environment.config)).close()
    const { database } = environment.config
    assert.equal(database.kind, 'sqlite')
    const db = new SqliteDatabase(database.file, { readonly: true })
    try {
      const tables = db.prepare(`select name from sqlite_master where type = 'table'`).all() as {
        name: string
      }[]
      const sealed = tables.flatMap(({ name }) =>
        (db.pragma(`table_info(${name})`) as { name: string }[])
          .filter((column) => column.name === 'sealed' || column.name.endsWith('_sealed'))
          .map((column) => `${name}.${column.name}`),
      )
      // One-time secrets need the link key to open: no one can re-seal them (sealed-columns.ts).
      const expected = sealed.filter((column) => column !== 'one_time_secrets.sealed').sort()
      assert.deepEqual(SEALED_COLUMNS.map(describeColumn).sort(), expected)
    } finally {
      db.close()
    }
  })
})
