import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { waitForSealedLog } from '../helpers/audit.js'
import { DIALECTS } from '../helpers/dialects.js'
import { account, randomIp, startNodes as startCluster } from '../helpers/nodes.js'
import type { Node } from '../helpers/nodes.js'
import { runCli } from '../helpers/process.js'

const startNodes = async (t: Parameters<typeof startCluster>[0]) => {
  const { nodes, env } = await startCluster(t, 2)
  const [a, b] = nodes
  assert.ok(a !== undefined && b !== undefined)
  return [a, b, env] as const
}

/**
 * Two `strongroom serve` processes on one PostgreSQL and one Redis behave as one service
 * (the hostile-conditions issue): nothing that must hold across requests lives in one node.
 */
for (const dialect of DIALECTS.filter((name) => name === 'postgres')) {
  describe(`two nodes on one ${dialect} and one Redis`, () => {
    it('consume each one-time secret exactly once across both nodes', async (t) => {
      const [a, b] = await startNodes(t)
      const api = await a.call('POST', '/api/secret', { body: { secret: 'api once' } })
      const generated = await b.call('POST', '/generate', {
        body: { secret: 'generated once', passphrase: 'pp' },
      })
      const apiKey = (api.body as { secret_key: string }).secret_key
      const genKey = (generated.body as { secret_key: string }).secret_key
      const reads = await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const node = i % 2 === 0 ? a : b
          return i < 25
            ? node.call('GET', `/api/secret/${apiKey}`)
            : node.call('POST', `/secrets/${genKey}`, { body: { passphrase: 'pp' } })
        }),
      )
      const won = (from: number, to: number) =>
        reads.slice(from, to).filter((response) => response.status === 200).length
      assert.equal(won(0, 25), 1)
      assert.equal(won(25, 50), 1)
      assert.ok(reads.every((response) => response.status === 200 || response.status === 404))
    })

    it('enforce on one node a share made or revoked on the other', async (t) => {
      const [a, b] = await startNodes(t)
      const alice = await account(a, 'alice')
      const bob = await account(b, 'bob')
      const created = await a.call('POST', '/v1/secrets', {
        token: alice.token,
        body: { name: 'db-password', encrypted_data: 'c2VjcmV0' },
      })
      const secretId = (created.body as { secret_id: number }).secret_id
      const read = (node: Node) =>
        node.call('GET', '/v1/secrets', { token: bob.token, body: { secret_id: secretId } })

      assert.equal((await read(b)).status, 401)
      const shared = await a.call('POST', '/v1/secrets/share/user', {
        token: alice.token,
        body: { secret_id: secretId, user_id: bob.id, permission: 'read-only' },
      })
      assert.equal(shared.status, 201, shared.text)
      assert.equal((await read(b)).status, 200)
      const update = await b.call('PATCH', '/v1/secrets', {
        token: bob.token,
        body: { secret_id: secretId, name: 'x', encrypted_data: 'eA' },
      })
      assert.equal(update.status, 401)
      const revoked = await b.call('DELETE', '/v1/secrets/share/user', {
        token: alice.token,
        body: { secret_id: secretId, user_id: bob.id },
      })
      assert.equal(revoked.status, 200, revoked.text)
      assert.equal((await read(a)).status, 401)
    })

    it('reject on one node a token logged out on the other', async (t) => {
      const [a, b] = await startNodes(t)
      const carol = await account(a, 'carol')
      assert.equal((await b.call('GET', '/v1/users/me', { token: carol.token })).status, 200)
      assert.equal((await a.call('POST', '/v1/auth/logout', { token: carol.token })).status, 204)
      const after = await b.call('GET', '/v1/users/me', { token: carol.token })
      assert.equal(after.status, 401)
      assert.deepEqual(after.body, { error: 'Auth token is invalid' })
    })

    it('share login throttling and rate limits through Redis', async (t) => {
      const [a, b] = await startNodes(t)
      const dave = await account(a, 'dave')
      const statuses: number[] = []
      for (let i = 0; i < 12; i++) {
        const node = i % 2 === 0 ? a : b
        const response = await node.call('POST', '/login', {
          body: { email: dave.email, password: `wrong-${i}` },
          ip: randomIp(),
        })
        statuses.push(response.status)
      }
      assert.deepEqual(statuses, [...Array<number>(10).fill(401), 429, 429])

      // Lock limits are 3/minute here: the fourth request from one address, on either node, is refused.
      const lock: number[] = []
      for (let i = 0; i < 5; i++) {
        const node = i % 2 === 0 ? a : b
        lock.push((await node.call('POST', '/lock/login', { body: {} })).status)
      }
      assert.deepEqual(lock, [400, 400, 400, 429, 429])
    })

    it('keep one valid audit log while both nodes write at once', async (t) => {
      const [a, b, env] = await startNodes(t)
      const erin = await account(a, 'erin')
      const created = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          (i % 2 === 0 ? a : b).call('POST', '/v1/secrets', {
            token: erin.token,
            body: { name: `n${i}`, encrypted_data: 'ZGF0YQ' },
          }),
        ),
      )
      assert.deepEqual(
        created.map((response) => response.status),
        Array<number>(60).fill(201),
        created.find((response) => response.status !== 201)?.text,
      )
      // One register, one login and sixty creates from two nodes, sealed by whichever leads.
      const sealed = await waitForSealedLog(env)
      assert.deepEqual([sealed.treeSize, sealed.unsealed, sealed.checkpointSize], [62, 0, 62])
      const verified = runCli(['audit', 'verify'], env)
      assert.equal(verified.code, 0, verified.stderr)
      assert.match(verified.stdout, /intact: 62 event\(s\)/)
    })
  })
}
