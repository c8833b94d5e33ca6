import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { describe, it } from 'node:test'

import { createTestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { call, startServer } from '../helpers/process.js'
import type { RunningServer } from '../helpers/process.js'
import { dumpSchema, scanBytes, scanDirectory } from '../helpers/scan.js'

/**
 * JSON over a real socket with node:http, which (unlike fetch) sends a body on GET, as this
 * surface's clients do.
 */
function send(
  server: RunningServer,
  method: string,
  path: string,
  options: { token?: string; body: unknown },
): Promise<{ status: number; body: unknown }> {
  const payload = Buffer.from(JSON.stringify(options.body))
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${server.url}${path}`,
      {
        method,
        headers: {
          'content-type': 'application/json',
          'content-length': String(payload.length),
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        },
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({
            status: response.statusCode ?? 0,
            body: text === '' ? undefined : (JSON.parse(text) as unknown),
          })
        })
      },
    )
    outgoing.on('error', reject)
    outgoing.end(payload)
  })
}

async function expect(
  pending: Promise<{ status: number; body: unknown }>,
  status: number,
): Promise<unknown> {
  const response = await pending
  assert.equal(response.status, status, JSON.stringify(response.body))
  return response.body
}

async function signUp(server: RunningServer, email: string, password: string) {
  await expect(call(server, 'POST', '/v1/auth/register', { body: { email, password } }), 201)
  const login = await expect(
    call(server, 'POST', '/v1/auth/login', { body: { email, password } }),
    200,
  )
  const me = await expect(
    call(server, 'GET', '/v1/users/me', { token: (login as { token: string }).token }),
    200,
  )
  return { token: (login as { token: string }).token, id: (me as { user: { id: number } }).user.id }
}

/**
 * The foundation issue's storage scan, extended to the vault: secret names and values written
 * through surface 2, and carried through sharing, groups, updates, lists and refused requests,
 * must not appear in any readable or cheaply matchable form in DATA_DIR (WAL included), in the
 * PostgreSQL tables, or in the log of a server logging at its most verbose.
 */
for (const dialect of DIALECTS) {
  describe(`vault storage scan (${dialect})`, () => {
    it('finds no secret name, value, password or token in the data directory, the database or the logs', async (t) => {
      const environment = await createTestEnvironment(t, { dialect, env: { LOG_LEVEL: 'trace' } })
      const server = await startServer(t, environment.env)
      const tag = randomBytes(6).toString('hex')
      const markers = {
        password: `PwMarker-${tag}`,
        name: `NameMarker-${tag}`,
        value: `ValueMarker-${tag}`,
        newName: `NewNameMarker-${tag}`,
        newValue: `NewValueMarker-${tag}`,
      }
      const owner = await signUp(server, `owner-${tag}@example.com`, markers.password)
      const friend = await signUp(server, `friend-${tag}@example.com`, `${markers.password}-2`)
      const stranger = await signUp(server, `stranger-${tag}@example.com`, `${markers.password}-3`)
      // A wrong login carries a password marker through the failure path.
      await expect(
        call(server, 'POST', '/v1/auth/login', {
          body: { email: `owner-${tag}@example.com`, password: `${markers.password}-wrong` },
        }),
        401,
      )

      const created = await expect(
        call(server, 'POST', '/v1/secrets', {
          token: owner.token,
          body: { name: markers.name, encrypted_data: markers.value },
        }),
        201,
      )
      const secret_id = (created as { secret_id: number }).secret_id
      const group = await expect(
        call(server, 'POST', '/v1/groups', {
          token: owner.token,
          body: { group_name: `team-${tag}` },
        }),
        201,
      )
      const group_id = (group as { data: { id: number } }).data.id
      await expect(
        call(server, 'POST', '/v1/groups/add_user', {
          token: owner.token,
          body: { group_id, user_id: friend.id },
        }),
        200,
      )
      await expect(
        call(server, 'POST', '/v1/secrets/share/group', {
          token: owner.token,
          body: { secret_id, group_id, permission: 'read-write' },
        }),
        201,
      )
      const read = await expect(
        send(server, 'GET', '/v1/secrets', { token: friend.token, body: { secret_id } }),
        200,
      )
      assert.equal(
        (read as { data: { encrypted_data: string } }).data.encrypted_data,
        markers.value,
      )
      await expect(
        call(server, 'PATCH', '/v1/secrets', {
          token: friend.token,
          body: { secret_id, name: markers.newName, encrypted_data: markers.newValue },
        }),
        200,
      )
      // Versions: the first value is kept, sealed under its own AAD, readable and restorable.
      const first = await expect(
        call(server, 'GET', `/v1/secrets/${secret_id}/versions/1`, { token: friend.token }),
        200,
      )
      assert.equal(
        (first as { data: { encrypted_data: string } }).data.encrypted_data,
        markers.value,
      )
      for (const version of [1, 2]) {
        await expect(
          call(server, 'POST', `/v1/secrets/${secret_id}/versions/${version}/rollback`, {
            token: owner.token,
          }),
          200,
        )
      }
      await expect(
        call(server, 'GET', `/v1/secrets/${secret_id}/versions`, { token: friend.token }),
        200,
      )
      await expect(
        call(server, 'POST', '/v1/secrets/share/user', {
          token: owner.token,
          body: { secret_id, user_id: stranger.id, permission: 'read-only' },
        }),
        201,
      )
      await expect(
        call(server, 'DELETE', '/v1/secrets/revoke/user', {
          token: owner.token,
          body: { secret_id, user_id: stranger.id },
        }),
        200,
      )
      // Refused and invalid requests carry the markers through the error paths.
      await expect(
        call(server, 'PATCH', '/v1/secrets', {
          token: stranger.token,
          body: { secret_id, name: markers.name, encrypted_data: markers.value },
        }),
        401,
      )
      const invalid = await expect(
        call(server, 'POST', '/v1/secrets', {
          token: owner.token,
          body: { encrypted_data: markers.value, name: 5 },
        }),
        400,
      )
      assert.doesNotMatch(JSON.stringify(invalid), new RegExp(tag))
      const owned = await expect(
        call(server, 'GET', '/v1/user/secrets', { token: owner.token }),
        200,
      )
      assert.equal((owned as { data: { name: string }[] }).data[0]?.name, markers.newName)
      const shared = await expect(
        call(server, 'GET', '/v1/secrets/shared', { token: friend.token }),
        200,
      )
      assert.equal((shared as { data: { name: string }[] }).data[0]?.name, markers.newName)

      const values = [...Object.values(markers), owner.token, friend.token, stranger.token]
      if (dialect === 'sqlite') {
        // While the server runs, the newest writes sit in the WAL file.
        const live = scanDirectory(environment.dataDir, values)
        assert.ok(
          live.files.some((file) => file.endsWith('-wal')),
          `WAL present: ${live.files.join(', ')}`,
        )
        assert.deepEqual(live.findings, [])
        // Control: the scan does see what is stored in the clear on purpose (the group name).
        assert.notDeepEqual(scanDirectory(environment.dataDir, [`team-${tag}`]).findings, [])
      } else {
        const dump = await dumpSchema(environment.env.DATABASE_URL ?? '')
        assert.deepEqual(scanBytes('database', dump, values), [])
        assert.notDeepEqual(scanBytes('database', dump, [`team-${tag}`]), [])
      }

      // Deleting the secret leaves nothing behind either.
      await expect(
        call(server, 'DELETE', '/v1/secrets', { token: owner.token, body: { secret_id } }),
        204,
      )
      assert.equal(await server.stop(), 0)
      const after = scanDirectory(environment.dataDir, values)
      if (dialect === 'sqlite') assert.ok(after.files.some((file) => file.endsWith('.db')))
      assert.deepEqual(after.findings, [])
      const log = server.output()
      assert.match(log, /request completed/)
      assert.match(log, /\/v1\/secrets/)
      assert.deepEqual(scanBytes('log', Buffer.from(log), values), [])
    })
  })
}
