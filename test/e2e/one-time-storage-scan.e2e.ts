import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import { createTestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { startServer } from '../helpers/process.js'
import type { RunningServer } from '../helpers/process.js'
import { dumpSchema, scanBytes, scanDirectory } from '../helpers/scan.js'

/** A request with a chosen User-Agent (the control marker stored in the clear on purpose). */
async function send(
  server: RunningServer,
  method: string,
  path: string,
  agent: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      'user-agent': agent,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, text: await response.text() }
}

/**
 * Issue 4's storage scan: the secret, the passphrase and the link key of one-time secrets, sent
 * through both surfaces (read, unread, wrong passphrases in queries and bodies, an undecodable
 * path), appear in no readable or cheaply matchable form in DATA_DIR (WAL included), in the
 * PostgreSQL tables, or in the log of a server logging at trace level.
 */
for (const dialect of DIALECTS) {
  describe(`one-time storage scan (${dialect})`, () => {
    it('finds no secret, passphrase or link key in the data directory, the database or the logs', async (t) => {
      const environment = await createTestEnvironment(t, { dialect, env: { LOG_LEVEL: 'trace' } })
      const server = await startServer(t, environment.env)
      const tag = randomBytes(6).toString('hex')
      const agent = `ScanAgent-${tag}`
      const m = {
        apiSecret: `ApiSecretMarker-${tag}`,
        apiUnread: `ApiUnreadMarker-${tag}`,
        apiPass: `ApiPassMarker-${tag}`,
        genSecret: `GenSecretMarker-${tag}`,
        genUnread: `GenUnreadMarker-${tag}`,
        genPass: `GenPassMarker-${tag}`,
        wrongPass: `WrongPassMarker-${tag}`,
      }
      const keyOf = (response: { status: number; text: string }): string => {
        assert.equal(response.status, 200, response.text)
        return (JSON.parse(response.text) as { secret_key: string }).secret_key
      }

      // Surface 4: one read (after a wrong delete passphrase), one left unread and protected.
      const apiRead = keyOf(
        await send(server, 'POST', '/api/secret', agent, {
          secret: m.apiSecret,
          passphrase: m.apiPass,
        }),
      )
      const wrongDelete = await send(
        server,
        'DELETE',
        `/api/secret/${apiRead}?passphrase=${m.wrongPass}`,
        agent,
      )
      assert.equal(wrongDelete.status, 401)
      const apiReadBack = await send(server, 'GET', `/api/secret/${apiRead}`, agent)
      assert.deepEqual(JSON.parse(apiReadBack.text), { secret: m.apiSecret })
      const apiUnread = keyOf(
        await send(server, 'POST', '/api/secret', agent, {
          secret: m.apiUnread,
          passphrase: m.apiPass,
          ttl_seconds: 3600,
        }),
      )

      // Surface 5: one read with the passphrase in the query (after a wrong one), one unread.
      const genRead = keyOf(
        await send(server, 'POST', '/generate', agent, {
          secret: m.genSecret,
          passphrase: m.genPass,
        }),
      )
      assert.equal(
        (await send(server, 'GET', `/secrets/${genRead}?passphrase=${m.wrongPass}`, agent)).status,
        404,
      )
      assert.equal(
        (await send(server, 'POST', `/secrets/${genRead}`, agent, { passphrase: m.wrongPass }))
          .status,
        404,
      )
      const genReadBack = await send(
        server,
        'GET',
        `/secrets/${genRead}?passphrase=${m.genPass}`,
        agent,
      )
      assert.deepEqual(JSON.parse(genReadBack.text), { secret: m.genSecret })
      const genUnread = keyOf(
        await send(server, 'POST', '/generate', agent, {
          secret: m.genUnread,
          passphrase: m.genPass,
        }),
      )
      // A path the router cannot decode, with a passphrase in its query.
      const undecodable = await send(server, 'GET', `/secrets/%zz?passphrase=${m.genPass}`, agent)
      assert.equal(undecodable.status, 404)
      assert.ok(!undecodable.text.includes(m.genPass))

      const values = [...Object.values(m), apiRead, apiUnread, genRead, genUnread]
      if (dialect === 'sqlite') {
        const live = scanDirectory(environment.dataDir, values)
        assert.ok(
          live.files.some((file) => file.endsWith('-wal')),
          live.files.join(', '),
        )
        assert.deepEqual(live.findings, [])
        // Control: the scan does see what is stored in the clear on purpose (the user agent).
        assert.notDeepEqual(scanDirectory(environment.dataDir, [agent]).findings, [])
      } else {
        const dump = await dumpSchema(environment.env.DATABASE_URL ?? '')
        assert.deepEqual(scanBytes('database', dump, values), [])
        assert.notDeepEqual(scanBytes('database', dump, [agent]), [])
      }

      assert.equal(await server.stop(), 0)
      const after = scanDirectory(environment.dataDir, values)
      if (dialect === 'sqlite') assert.ok(after.files.some((file) => file.endsWith('.db')))
      assert.deepEqual(after.findings, [])
      const log = server.output()
      assert.match(log, /request completed/)
      assert.match(log, /\/secrets\/:secret_key/)
      assert.deepEqual(scanBytes('log', Buffer.from(log), values), [])
    })
  })
}
