import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import {
  parseCheckpointJson,
  parsePublicKey,
  verifyCheckpoint,
} from '../../src/crypto/checkpoint.js'
import type { CheckpointJson } from '../../src/crypto/checkpoint.js'
import type { AuditEventView } from '../../src/domain/audit/views.js'
import { verifyConsistency, verifyInclusion } from '../../src/crypto/merkle.js'
import { canonicalDetails } from '../../src/domain/audit/leaf-encoding.js'
import { eventLeafHash } from '../../src/domain/audit/leaf.js'
import { buildTestApp, openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, json, signUp } from '../helpers/http.js'

type CheckpointBody = CheckpointJson
const asCheckpoint = (c: CheckpointBody) => {
  const parsed = parseCheckpointJson(c)
  assert.ok(parsed !== undefined)
  return parsed
}
const unhex = (h: string): Buffer => Buffer.from(h, 'hex')

for (const dialect of DIALECTS) {
  describe(`audit proofs and checkpoints (${dialect})`, () => {
    it('hands out a public key, signed checkpoints, and inclusion and consistency proofs that verify', async (t) => {
      const environment = await buildTestApp(t, { dialect })
      const { app } = environment
      const { services } = openServices(environment)
      const alice = await signUp(app)
      const bob = await signUp(app)

      const keyResponse = await app.inject({ method: 'GET', url: '/v1/audit/public-key' })
      assert.equal(keyResponse.statusCode, 200)
      const keyBody = json(keyResponse) as { algorithm: string; key_id: string; public_key: string }
      assert.equal(keyBody.algorithm, 'Ed25519')
      const publicKey = parsePublicKey(keyBody.public_key)
      assert.ok(publicKey !== undefined)

      await services.audit.sequencer.flush()
      const first = json(
        await app.inject({
          method: 'GET',
          url: '/v1/audit/checkpoint',
          headers: bearer(alice.token),
        }),
      ) as CheckpointBody
      assert.equal(first.tree_size, 4) // two registers, two logins
      assert.ok(verifyCheckpoint(publicKey, asCheckpoint(first)))

      for (let i = 0; i < 5; i++) {
        await app.inject({
          method: 'POST',
          url: '/set_secret',
          headers: bearer(alice.token),
          payload: { username: alice.username, secret: `v${i}` },
        })
      }
      await services.audit.sequencer.flush()
      const latest = json(
        await app.inject({
          method: 'GET',
          url: '/v1/audit/checkpoint',
          headers: bearer(bob.token),
        }),
      ) as CheckpointBody
      assert.equal(latest.tree_size, 9)
      assert.ok(verifyCheckpoint(publicKey, asCheckpoint(latest)))

      // Alice's newest event, proven in the newest checkpoint from its leaf alone.
      const page = json(
        await app.inject({ method: 'GET', url: '/v1/audit?limit=1', headers: bearer(alice.token) }),
      ) as { events: { id: string }[] }
      const eventId = page.events[0]?.id ?? ''
      const proofResponse = await app.inject({
        method: 'GET',
        url: `/v1/audit/proof/inclusion?event=${eventId}&tree_size=9`,
        headers: bearer(alice.token),
      })
      assert.equal(proofResponse.statusCode, 200, proofResponse.body)
      const proof = json(proofResponse) as {
        event: AuditEventView & { seq: number; leaf_hash: string }
        leaf_index: number
        checkpoint: CheckpointBody
        audit_path: string[]
      }
      const leaf = eventLeafHash({
        ...proof.event,
        event_id: proof.event.id,
        details: canonicalDetails(proof.event.details),
      })
      assert.equal(leaf, proof.event.leaf_hash)
      assert.ok(
        verifyInclusion(
          unhex(leaf),
          proof.leaf_index,
          9,
          proof.audit_path.map(unhex),
          unhex(latest.root_hash),
        ),
      )
      // A changed field breaks it.
      const altered = eventLeafHash({
        ...proof.event,
        event_id: proof.event.id,
        client_ip: '203.0.113.1',
        details: canonicalDetails(proof.event.details),
      })
      assert.ok(
        !verifyInclusion(
          unhex(altered),
          proof.leaf_index,
          9,
          proof.audit_path.map(unhex),
          unhex(latest.root_hash),
        ),
      )
      // Bob may not ask about Alice's events: they look like no event at all.
      const foreign = await app.inject({
        method: 'GET',
        url: `/v1/audit/proof/inclusion?event=${eventId}`,
        headers: bearer(bob.token),
      })
      assert.equal(foreign.statusCode, 404)

      const consistency = json(
        await app.inject({
          method: 'GET',
          url: '/v1/audit/proof/consistency?first=4&second=9',
          headers: bearer(bob.token),
        }),
      ) as { first: CheckpointBody; second: CheckpointBody; consistency_path: string[] }
      assert.ok(
        verifyConsistency(
          4,
          9,
          unhex(first.root_hash),
          unhex(latest.root_hash),
          consistency.consistency_path.map(unhex),
        ),
      )
      assert.equal(
        (
          await app.inject({
            method: 'GET',
            url: '/v1/audit/proof/consistency?first=5&second=9',
            headers: bearer(bob.token),
          })
        ).statusCode,
        404,
      )
      assert.equal(
        (
          await app.inject({
            method: 'GET',
            url: '/v1/audit/proof/consistency?first=0',
            headers: bearer(bob.token),
          })
        ).statusCode,
        422,
      )
      assert.equal(
        (await app.inject({ method: 'GET', url: '/v1/audit/checkpoint' })).statusCode,
        401,
      )
      assert.equal(
        (await app.inject({ method: 'POST', url: '/v1/audit/public-key' })).statusCode,
        405,
      )
    })
  })
}
