import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { readSealedState, waitForSealedLog } from '../helpers/audit.js'
import { DIALECTS } from '../helpers/dialects.js'
import { account, startNodes } from '../helpers/nodes.js'
import type { Node } from '../helpers/nodes.js'
import { runCli } from '../helpers/process.js'

const pick = (nodes: readonly Node[], i: number): Node => {
  const node = nodes[i % nodes.length]
  assert.ok(node !== undefined)
  return node
}

/**
 * Three `strongroom serve` processes on one PostgreSQL: correctness holds as nodes are added
 * (one-time reads, revocation, one audit log), and when the node that seals the audit log dies,
 * another takes over within seconds and seals what the dead one left.
 */
for (const dialect of DIALECTS.filter((name) => name === 'postgres')) {
  describe(`three nodes on one ${dialect}`, () => {
    it('read once, revoke everywhere, keep one audit log, and survive the sealing node dying', async (t) => {
      const { nodes, env } = await startNodes(t, 3)
      const [a, b, c] = nodes
      assert.ok(a !== undefined && b !== undefined && c !== undefined)

      // Exactly-once reads of one-time secrets, 60 readers spread over the three nodes.
      const created = await a.call('POST', '/api/secret', { body: { secret: 'three nodes once' } })
      const key = (created.body as { secret_key: string }).secret_key
      const reads = await Promise.all(
        Array.from({ length: 60 }, (_, i) => pick(nodes, i).call('GET', `/api/secret/${key}`)),
      )
      assert.equal(reads.filter((response) => response.status === 200).length, 1)
      assert.ok(reads.every((response) => response.status === 200 || response.status === 404))

      // A logout on one node is refused on the next request to each of the others.
      const frank = await account(b, 'frank')
      assert.equal((await c.call('GET', '/v1/users/me', { token: frank.token })).status, 200)
      assert.equal((await b.call('POST', '/v1/auth/logout', { token: frank.token })).status, 204)
      for (const node of [a, c]) {
        assert.equal((await node.call('GET', '/v1/users/me', { token: frank.token })).status, 401)
      }

      // Audited writes and reads from all three at once: one log, every event sealed once.
      const gina = await account(c, 'gina')
      const writes = await Promise.all(
        Array.from({ length: 90 }, (_, i) =>
          pick(nodes, i).call('POST', '/v1/secrets', {
            token: gina.token,
            body: { name: `n${i}`, encrypted_data: 'ZGF0YQ' },
          }),
        ),
      )
      assert.ok(writes.every((response) => response.status === 201))
      const sealed = await waitForSealedLog(env)
      assert.equal(sealed.unsealed, 0)
      assert.equal(sealed.treeSize, sealed.events)
      assert.equal(sealed.distinctEvents, sealed.events)
      assert.equal(sealed.checkpointSize, sealed.treeSize)

      // Kill nodes one by one; at least one of them led. After each death the survivors' events
      // are still sealed within seconds.
      for (const [victim, survivor] of [
        [a, b],
        [b, c],
      ] as const) {
        await victim.server.kill()
        const before = await readSealedState(env)
        const started = Date.now()
        const more = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            survivor.call('POST', '/v1/secrets', {
              token: gina.token,
              body: { name: `after-${started}-${i}`, encrypted_data: 'ZGF0YQ' },
            }),
          ),
        )
        assert.ok(more.every((response) => response.status === 201))
        const after = await waitForSealedLog(env, 20_000)
        t.diagnostic(`sealed again ${Date.now() - started} ms after a node died`)
        assert.equal(after.unsealed, 0)
        assert.ok(after.treeSize >= before.treeSize + 10)
        assert.equal(after.checkpointSize, after.treeSize)
      }

      const verified = runCli(['audit', 'verify'], env)
      assert.equal(verified.code, 0, verified.stderr)
    })
  })
}
