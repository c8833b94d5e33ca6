import assert from 'node:assert/strict'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import type { FastifyInstance } from 'fastify'

import { buildTestApp } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'

/**
 * The companion CLI of the original, pw4devs (StrawHats-2024/pw4devs), replayed call by call:
 * each request below is what its source sends, byte for byte as Go's encoding/json writes the
 * request structs (fields in declaration order, no spaces), with the headers its MakeRequest sets
 * (`Content-Type: application/json` always, `Authorization: Bearer …` once logged in, no body
 * for nil). Each answer is read the way the CLI reads it: Go decodes `[]byte` fields from base64,
 * and `secrets get` then decrypts AES-256-GCM with the key only the client has.
 *
 * Commands → calls: auth register / login; secrets create (and dev seed), get, list (and the
 * TUI's list), update, delete; share touser, togroup; group create, get, list, adduser, rmuser,
 * delete. (`auth logout` and `group update` make no call.)
 */

interface Answer {
  status: number
  contentLength: number
  body: unknown
}

/** The CLI's MakeRequest: always JSON content type, bearer when it has a token, body as marshalled. */
async function makeRequest(
  app: FastifyInstance,
  url: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  marshalled: string | undefined,
  authToken: string,
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (authToken !== '') headers.authorization = `Bearer ${authToken}`
  const response = await app.inject({
    method,
    url,
    headers,
    ...(marshalled === undefined ? {} : { payload: marshalled }),
  })
  // Go's client reads a 204 as ContentLength 0 (no body is allowed); otherwise the header.
  const contentLength =
    response.statusCode === 204 ? 0 : Number(response.headers['content-length'] ?? -1)
  return {
    status: response.statusCode,
    contentLength,
    // "if resp.ContentLength == 0" the CLI does not decode.
    body: contentLength === 0 ? undefined : (JSON.parse(response.body) as unknown),
  }
}

/** Go's json.Marshal of a struct: keys in field order, strings JSON-escaped, no spaces. */
const marshal = (fields: [string, string | number][]): string =>
  `{${fields.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`

/** internals/utils/encryption.go EncryptAESGCM: 12-byte random IV, ciphertext‖tag, both base64. */
function encryptAesGcm(plaintext: string, keyBase64: string): { data: string; iv: string } {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(keyBase64, 'base64'), iv)
  const sealed = Buffer.concat([
    cipher.update(plaintext, 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ])
  return { data: sealed.toString('base64'), iv: iv.toString('base64') }
}

/** DecryptAESGCM: both arguments base64 strings. */
function decryptAesGcm(ciphertextBase64: string, ivBase64: string, keyBase64: string): string {
  const sealed = Buffer.from(ciphertextBase64, 'base64')
  const decipher = createDecipheriv(
    'aes-256-gcm',
    Buffer.from(keyBase64, 'base64'),
    Buffer.from(ivBase64, 'base64'),
  )
  decipher.setAuthTag(sealed.subarray(sealed.length - 16))
  return Buffer.concat([
    decipher.update(sealed.subarray(0, sealed.length - 16)),
    decipher.final(),
  ]).toString('utf8')
}

/** Go's json decoding of a `[]byte` field (StdEncoding, strict), then `string(...)` as the CLI does. */
function goBytesToString(value: unknown): string {
  assert.equal(typeof value, 'string', 'a []byte field is a base64 string')
  assert.match(value as string, /^[A-Za-z0-9+/]*={0,2}$/)
  return Buffer.from(value as string, 'base64').toString('utf8')
}

function firstOf<T>(list: readonly T[]): T {
  const [first] = list
  assert.ok(first !== undefined, 'the list is empty')
  return first
}

/** Go's time.Time accepts RFC 3339 only. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

interface SecretRecord {
  id: number
  name: string
  encrypted_data: unknown
  iv: unknown
  owner_id: number
}

/** `secrets get`: decrypt what GET /v1/secrets answered, exactly as cmd/secrets/get.go does. */
function credentialsOf(record: SecretRecord, key: string): { username: string; password: string } {
  const plaintext = decryptAesGcm(
    goBytesToString(record.encrypted_data),
    goBytesToString(record.iv),
    key,
  )
  return JSON.parse(plaintext) as { username: string; password: string }
}

for (const dialect of DIALECTS) {
  describe(`Secrets v1: the pw4devs CLI's calls (${dialect})`, () => {
    it('runs every command of the CLI against the later API, end to end', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const key = randomBytes(32).toString('base64')
      const alice = { email: 'alice@pw4devs.test', password: 'alice-password' }
      const bob = { email: 'bob@pw4devs.test', password: 'bob-password' }

      // auth register, auth login (cmd/auth/register.go, login.go): RegisterBody / LoginBody.
      const tokens: Record<string, string> = {}
      for (const who of [alice, bob]) {
        const body = marshal([
          ['email', who.email],
          ['password', who.password],
        ])
        const registered = await makeRequest(app, '/v1/auth/register', 'POST', body, '')
        assert.equal(registered.status, 201)
        const login = await makeRequest(app, '/v1/auth/login', 'POST', body, '')
        assert.equal(login.status, 200)
        const token = (login.body as { token: string }).token
        assert.ok(token !== '', 'No auth token received.')
        tokens[who.email] = token
      }
      const asAlice = tokens[alice.email] ?? ''
      const asBob = tokens[bob.email] ?? ''

      // secrets create / dev seed (utils.CreateSecret): reqBody{EncryptedData, IV, Name}.
      const sealed = encryptAesGcm(
        marshal([
          ['username', 'octocat'],
          ['password', 'hunter22'],
        ]),
        key,
      )
      const created = await makeRequest(
        app,
        '/v1/secrets',
        'POST',
        marshal([
          ['encrypted_data', sealed.data],
          ['iv', sealed.iv],
          ['name', 'GitHub'],
        ]),
        asAlice,
      )
      assert.equal(created.status, 201)
      const secretId = (created.body as { secret_id: number }).secret_id
      assert.ok(secretId > 0, 'Secret created successfully: <id>')

      // secrets get (cmd/secrets/get.go): reqBodyGet{SecretID}; resBodyGet{Data SecretRecord}.
      const got = await makeRequest(
        app,
        '/v1/secrets',
        'GET',
        marshal([['secret_id', secretId]]),
        asAlice,
      )
      assert.equal(got.status, 200)
      const record = (got.body as { data: SecretRecord }).data
      assert.equal(record.id, secretId)
      assert.deepEqual(credentialsOf(record, key), { username: 'octocat', password: 'hunter22' })

      // secrets list and the TUI (cmd/secrets/list.go, internals/ui/list.go): GET, nil body.
      const listed = await makeRequest(app, '/v1/secrets/user', 'GET', undefined, asAlice)
      assert.equal(listed.status, 200)
      const rows = (listed.body as { data: SecretRecord[] }).data
      assert.deepEqual(
        rows.map((row) => [row.id, row.name]),
        [[secretId, 'GitHub']],
      )
      assert.deepEqual(credentialsOf(firstOf(rows), key).username, 'octocat')

      // secrets update (cmd/secrets/update.go): reqbodyUpdate{EncryptedData, IV, Name, SecretID}.
      const resealed = encryptAesGcm(
        marshal([
          ['username', 'octocat'],
          ['password', 'n3w-pass'],
        ]),
        key,
      )
      const updated = await makeRequest(
        app,
        '/v1/secrets',
        'PATCH',
        marshal([
          ['encrypted_data', resealed.data],
          ['iv', resealed.iv],
          ['name', 'GitHub (work)'],
          ['secret_id', secretId],
        ]),
        asAlice,
      )
      assert.equal(updated.status, 200)

      // share touser (cmd/sharing/touser.go): reqBody{SecretID, UserEmail, Permission}.
      const toUser = await makeRequest(
        app,
        '/v1/secrets/share/user',
        'POST',
        marshal([
          ['secret_id', secretId],
          ['user_email', bob.email],
          ['permission', 'read-only'],
        ]),
        asAlice,
      )
      assert.equal(toUser.status, 201, JSON.stringify(toUser.body))
      const bobReads = await makeRequest(
        app,
        '/v1/secrets',
        'GET',
        marshal([['secret_id', secretId]]),
        asBob,
      )
      assert.equal(bobReads.status, 200)
      assert.equal(
        credentialsOf((bobReads.body as { data: SecretRecord }).data, key).password,
        'n3w-pass',
      )

      // group create (cmd/group/create.go): reqBody{GroupName}.
      const group = 'pw4devs-team'
      const groupCreated = await makeRequest(
        app,
        '/v1/groups',
        'POST',
        marshal([['group_name', group]]),
        asAlice,
      )
      assert.equal(groupCreated.status, 201)

      // group adduser (cmd/group/add_user.go): reqBody{GroupName, UserEmail}; resBody{Message}.
      const added = await makeRequest(
        app,
        '/v1/groups/add_user',
        'POST',
        marshal([
          ['group_name', group],
          ['user_email', bob.email],
        ]),
        asAlice,
      )
      assert.equal(added.status, 200, JSON.stringify(added.body))
      assert.equal((added.body as { message: string }).message, 'Success!')

      // share togroup (cmd/sharing/togroup.go): reqBody{SecretID, GroupName, Permission}.
      const toGroup = await makeRequest(
        app,
        '/v1/secrets/share/group',
        'POST',
        marshal([
          ['secret_id', secretId],
          ['group_name', group],
          ['permission', 'read-only'],
        ]),
        asAlice,
      )
      assert.equal(toGroup.status, 201, JSON.stringify(toGroup.body))

      // group get (cmd/group/get.go): reqBody{GroupName}; Data GroupRecordWithUsers.
      const groupGot = await makeRequest(
        app,
        '/v1/groups',
        'GET',
        marshal([['group_name', group]]),
        asBob,
      )
      assert.equal(groupGot.status, 200, JSON.stringify(groupGot.body))
      const detail = (
        groupGot.body as {
          data: {
            id: number
            name: string
            creator_id: number
            created_at: string
            users: {
              id: number
              email: string
              name: string | null
              activated: boolean
              created_at: string
            }[]
            secrets: SecretRecord[]
          }
        }
      ).data
      assert.equal(detail.name, group)
      assert.match(detail.created_at, RFC3339)
      assert.deepEqual(detail.users.map((user) => user.email).sort(), [alice.email, bob.email])
      for (const user of detail.users) assert.match(user.created_at, RFC3339)
      assert.deepEqual(
        detail.secrets.map((secret) => secret.id),
        [secretId],
      )
      assert.equal(credentialsOf(firstOf(detail.secrets), key).password, 'n3w-pass')

      // group list (cmd/group/list.go): GET /v1/groups/user, nil body; []GroupRecord.
      const mine = await makeRequest(app, '/v1/groups/user', 'GET', undefined, asBob)
      assert.equal(mine.status, 200)
      const groups = (mine.body as { data: { name: string; created_at: string }[] }).data
      assert.deepEqual(
        groups.map((g) => g.name),
        [group],
      )
      assert.match(groups[0]?.created_at ?? '', RFC3339)

      // group rmuser (cmd/group/remove_user.go): reqBody{GroupName, UserEmail}.
      const removed = await makeRequest(
        app,
        '/v1/groups/remove_user',
        'POST',
        marshal([
          ['group_name', group],
          ['user_email', bob.email],
        ]),
        asAlice,
      )
      assert.equal(removed.status, 200, JSON.stringify(removed.body))

      // group delete (cmd/group/delete.go): reqBody{GroupName}; 204, no body.
      const groupDeleted = await makeRequest(
        app,
        '/v1/groups',
        'DELETE',
        marshal([['group_name', group]]),
        asAlice,
      )
      assert.equal(groupDeleted.status, 204)
      assert.equal(groupDeleted.contentLength, 0)
      const gone = await makeRequest(
        app,
        '/v1/groups',
        'DELETE',
        marshal([['group_name', group]]),
        asAlice,
      )
      assert.equal(gone.status, 404, 'No group found with name')

      // secrets delete (cmd/secrets/delete.go): reqBodyDel{SecretID}; 204.
      const deleted = await makeRequest(
        app,
        '/v1/secrets',
        'DELETE',
        marshal([['secret_id', secretId]]),
        asAlice,
      )
      assert.equal(deleted.status, 204)
      const after = await makeRequest(app, '/v1/secrets/user', 'GET', undefined, asAlice)
      assert.deepEqual((after.body as { data: unknown[] }).data, [])
    })

    it('answers documented requests exactly as before, beside the later API', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const body = marshal([
        ['email', 'doc@pw4devs.test'],
        ['password', 'documented'],
      ])
      await makeRequest(app, '/v1/auth/register', 'POST', body, '')
      const token = (
        (await makeRequest(app, '/v1/auth/login', 'POST', body, '')).body as {
          token: string
        }
      ).token
      const created = await makeRequest(
        app,
        '/v1/secrets',
        'POST',
        marshal([
          ['name', 'plain'],
          ['encrypted_data', 'not base64: kept as sent'],
        ]),
        token,
      )
      const id = (created.body as { secret_id: number }).secret_id
      const read = await makeRequest(app, '/v1/secrets', 'GET', marshal([['secret_id', id]]), token)
      const data = (read.body as { data: Record<string, unknown> }).data
      assert.equal(data.encrypted_data, 'not base64: kept as sent')
      assert.ok(!('iv' in data) && !('id' in data), 'no later keys on a documented secret')

      const group = await makeRequest(
        app,
        '/v1/groups',
        'POST',
        marshal([['group_name', 'documented']]),
        token,
      )
      const groupId = (group.body as { data: { id: number } }).data.id
      const viewed = await makeRequest(
        app,
        '/v1/groups',
        'GET',
        marshal([['group_id', groupId]]),
        token,
      )
      assert.deepEqual(Object.keys(viewed.body as object).sort(), ['Data', 'Message'])

      // An IV-less secret in a later list is still a Go byte slice of what was stored.
      const listed = await makeRequest(app, '/v1/secrets/user', 'GET', undefined, token)
      const row = (listed.body as { data: SecretRecord[] }).data[0]
      assert.equal(goBytesToString(row?.encrypted_data), 'not base64: kept as sent')
      assert.equal(row?.iv, null)
    })

    it('keeps the later lists to members and the names to what exists', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const users: string[] = []
      for (const email of ['owner@pw4devs.test', 'outsider@pw4devs.test']) {
        const body = marshal([
          ['email', email],
          ['password', 'password1'],
        ])
        await makeRequest(app, '/v1/auth/register', 'POST', body, '')
        users.push(
          ((await makeRequest(app, '/v1/auth/login', 'POST', body, '')).body as { token: string })
            .token,
        )
      }
      const [owner = '', outsider = ''] = users
      const group = await makeRequest(
        app,
        '/v1/groups',
        'POST',
        marshal([['group_name', 'private-team']]),
        owner,
      )
      const groupId = (group.body as { data: { id: number } }).data.id

      const denied = await makeRequest(
        app,
        '/v1/secrets/group',
        'GET',
        marshal([['group_id', groupId]]),
        outsider,
      )
      assert.equal(denied.status, 401)
      assert.deepEqual(denied.body, { message: 'Only group members can access secrets.' })
      const byName = await makeRequest(
        app,
        '/v1/groups',
        'GET',
        marshal([['group_name', 'private-team']]),
        outsider,
      )
      assert.equal(byName.status, 401)
      const unknownGroup = await makeRequest(
        app,
        '/v1/groups',
        'GET',
        marshal([['group_name', 'no-such-team']]),
        owner,
      )
      assert.equal(unknownGroup.status, 404)
      const unknownUser = await makeRequest(
        app,
        '/v1/groups/add_user',
        'POST',
        marshal([
          ['group_name', 'private-team'],
          ['user_email', 'nobody@pw4devs.test'],
        ]),
        owner,
      )
      assert.equal(unknownUser.status, 404)
      // Text no account or group can have is a 422, on every store (a NUL would break PostgreSQL).
      const nul = await makeRequest(
        app,
        '/v1/groups/add_user',
        'POST',
        JSON.stringify({ group_name: 'private\u0000team', user_email: 'a\u0000@pw4devs.test' }),
        owner,
      )
      assert.equal(nul.status, 422)
      assert.deepEqual(nul.body, { error: { group_name: 'must not contain control characters' } })
      const badEmail = await makeRequest(
        app,
        '/v1/secrets/share/user',
        'POST',
        JSON.stringify({
          secret_id: 1,
          user_email: 'lone\ud800@pw4devs.test',
          permission: 'read-only',
        }),
        owner,
      )
      assert.equal(badEmail.status, 422)
      assert.deepEqual(badEmail.body, { error: { user_email: 'is invalid' } })
      const missing = await makeRequest(app, '/v1/secrets/group', 'GET', '{}', owner)
      assert.equal(missing.status, 422)
      assert.deepEqual(missing.body, { error: { group_id: 'must be provided' } })
    })
  })
}
