import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { describe, it } from 'node:test'

import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createTestEnvironment } from '../helpers/app.js'
import { DIALECTS, POSTGRES_URL, withClient } from '../helpers/dialects.js'
import { runCli } from '../helpers/process.js'
import { expectStatus, signUpV1, v1 } from '../helpers/v1.js'

/** Rows per table of Strongroom's schema, read through a URL that selects it. */
async function countRows(url: string, schema: string): Promise<Record<string, number>> {
  return withClient(async (client) => {
    const tables = await client.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = $1 order by table_name`,
      [schema],
    )
    const counts: Record<string, number> = {}
    for (const { table_name } of tables.rows) {
      const result = await client.query<{ n: string }>(
        `select count(*) as n from "${schema}"."${table_name}"`,
      )
      counts[table_name] = Number(result.rows[0]?.n)
    }
    return counts
  }, url)
}

/**
 * README "Backup and restore", PostgreSQL: pg_dump of Strongroom's schema, pg_restore into a
 * fresh database, and everything reads back: values, versions, accounts and the audit log.
 */
for (const dialect of DIALECTS.filter((name) => name === 'postgres')) {
  describe(`pg_dump and pg_restore (${dialect})`, () => {
    it('restores a dump into a fresh database that serves every value and verifies its audit log', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const sourceUrl = environment.env.DATABASE_URL ?? ''
      const schema = /search_path=(\w+)/.exec(
        new URL(sourceUrl).searchParams.get('options') ?? '',
      )?.[1]
      assert.ok(schema !== undefined)

      const app = await buildApp(environment.config)
      const user = await signUpV1(app, 'dumped')
      const values = ['first', 'second', 'third']
      const created = await expectStatus(
        v1(app, 'POST', '/secrets', {
          token: user.token,
          body: { name: 'db', encrypted_data: values[0] },
        }),
        201,
      )
      const secret_id = (created.body as { secret_id: number }).secret_id
      for (const value of values.slice(1)) {
        await expectStatus(
          v1(app, 'PATCH', '/secrets', {
            token: user.token,
            body: { secret_id, name: 'db', encrypted_data: value },
          }),
          200,
        )
      }
      await app.close()

      // What README tells the operator to run.
      const dump = path.join(environment.dataDir, 'strongroom.dump')
      const base = new URL(POSTGRES_URL ?? '')
      execFileSync('pg_dump', [
        '--format=custom',
        '--no-owner',
        `--schema=${schema}`,
        `--file=${dump}`,
        base.toString(),
      ])
      const database = `sr_restore_${randomBytes(6).toString('hex')}`
      await withClient((client) => client.query(`create database ${database}`))
      environment.defer(() =>
        withClient((client) => client.query(`drop database if exists ${database} with (force)`)),
      )
      const restoredBase = new URL(base)
      restoredBase.pathname = `/${database}`
      execFileSync('pg_restore', ['--no-owner', `--dbname=${restoredBase.toString()}`, dump])

      const restoredUrl = new URL(restoredBase)
      restoredUrl.searchParams.set('options', `-c search_path=${schema}`)
      assert.deepEqual(
        await countRows(restoredBase.toString(), schema),
        await countRows(base.toString(), schema),
      )

      const env = { ...environment.env, DATABASE_URL: restoredUrl.toString() }
      const verify = runCli(['audit', 'verify'], env)
      assert.equal(verify.code, 0, verify.stderr)

      const restored = await buildApp(loadConfig(env).config)
      environment.defer(() => restored.close())
      const login = await expectStatus(
        v1(restored, 'POST', '/auth/login', {
          body: { email: user.email, password: user.password },
        }),
        200,
      )
      const token = (login.body as { token: string }).token
      const read = await expectStatus(
        v1(restored, 'GET', '/secrets', { token, body: { secret_id } }),
        200,
      )
      assert.equal((read.body as { data: { encrypted_data: string } }).data.encrypted_data, 'third')
      for (const [index, value] of values.entries()) {
        const version = await expectStatus(
          v1(restored, 'GET', `/secrets/${secret_id}/versions/${index + 1}`, { token }),
          200,
        )
        assert.equal(
          (version.body as { data: { encrypted_data: string } }).data.encrypted_data,
          value,
        )
      }
      // Identity sequences came along: new rows get new ids.
      const next = await expectStatus(
        v1(restored, 'POST', '/secrets', {
          token,
          body: { name: 'after', encrypted_data: 'restore' },
        }),
        201,
      )
      assert.ok((next.body as { secret_id: number }).secret_id > secret_id)
    })
  })
}
