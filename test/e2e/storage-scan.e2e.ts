import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import { createTestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { call, startServer } from '../helpers/process.js'
import { dumpSchema, scanBytes, scanDirectory } from '../helpers/scan.js'

/**
 * The foundation issue's storage scan: marker values written through the API must not appear,
 * in any readable or cheaply matchable form, in any file of DATA_DIR (WAL included), in the
 * database, or in the log output of a server logging at its most verbose.
 */
for (const dialect of DIALECTS) {
  describe(`storage scan (${dialect})`, () => {
    it('finds no password or secret marker in the data directory, the database or the logs', async (t) => {
      const environment = await createTestEnvironment(t, { dialect, env: { LOG_LEVEL: 'trace' } })
      const server = await startServer(t, environment.env)
      const tag = randomBytes(6).toString('hex')
      const markers = { password: `PwMarker-${tag}`, secret: `SecretMarker-${tag}` }
      const user = { email: `scan-${tag}@example.com`, username: `scan${tag}` }

      const registered = await call(server, 'POST', '/register', {
        body: { ...user, password: markers.password },
      })
      assert.equal(registered.status, 201)
      const login = await call(server, 'POST', '/login', {
        body: { email: user.email, password: markers.password },
      })
      assert.equal(login.status, 200)
      const { token } = login.body as { token: string }
      // A wrong login and a cross-user attempt carry the markers through the failure paths too.
      await call(server, 'POST', '/login', {
        body: { email: user.email, password: `${markers.password}-wrong` },
      })
      assert.equal(
        (
          await call(server, 'POST', '/set_secret', {
            token,
            body: { username: user.username, secret: markers.secret },
          })
        ).status,
        200,
      )
      await call(server, 'POST', '/set_secret', {
        token,
        body: { username: 'someone-else', secret: markers.secret },
      })
      const read = await call(server, 'GET', `/get_secret?username=${user.username}`, { token })
      assert.deepEqual(read.body, { secret: markers.secret })

      const values = [markers.password, markers.secret, token]
      if (dialect === 'sqlite') {
        // While the server runs, the newest writes sit in the WAL file.
        const live = scanDirectory(environment.dataDir, values)
        assert.ok(
          live.files.some((file) => file.endsWith('-wal')),
          `WAL present: ${live.files.join(', ')}`,
        )
        assert.deepEqual(live.findings, [])
        // Control: the scan does see what is stored in the clear on purpose (the login e-mail).
        assert.notDeepEqual(scanDirectory(environment.dataDir, [user.email]).findings, [])
      } else {
        const url = environment.env.DATABASE_URL ?? ''
        const dump = await dumpSchema(url)
        assert.deepEqual(scanBytes('database', dump, values), [])
        assert.notDeepEqual(scanBytes('database', dump, [user.email]), [])
      }

      assert.equal(await server.stop(), 0)
      const after = scanDirectory(environment.dataDir, values)
      if (dialect === 'sqlite') assert.ok(after.files.some((file) => file.endsWith('.db')))
      assert.deepEqual(after.findings, [])
      const log = server.output()
      assert.match(log, /request completed/)
      assert.deepEqual(scanBytes('log', Buffer.from(log), values), [])
    })
  })
}
