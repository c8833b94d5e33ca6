import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildTestApp, openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { bearer, json, newIdentity, signUp } from '../helpers/http.js'

/**
 * Inputs the domain itself refuses (past every schema) are named by the domain in its own words;
 * each surface still answers with the request location and the field name its clients sent.
 * These pin the exact bodies, so that mapping cannot drift.
 */
for (const dialect of DIALECTS) {
  describe(`inputs the domain refuses, as each surface names them (${dialect})`, () => {
    it('words a refused username by its body field on the FastAPI surface', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const response = await app.inject({
        method: 'POST',
        url: '/register',
        payload: { ...newIdentity('name'), username: 'zero\u200bwidth' },
      })
      assert.equal(response.statusCode, 422, response.body)
      assert.deepEqual(json(response), {
        detail: [
          {
            type: 'format',
            loc: ['body', 'username'],
            msg: 'Username contains characters that are not allowed',
          },
        ],
      })
    })

    it('words a cursor that decodes to nothing and a backwards consistency range by their query keys', async (t) => {
      const environment = await buildTestApp(t, { dialect })
      const { app } = environment
      const { services } = openServices(environment)
      const alice = await signUp(app)
      await signUp(app)
      await services.audit.sequencer.flush()
      const get = (url: string) => app.inject({ method: 'GET', url, headers: bearer(alice.token) })
      // A checkpoint of four events (two sign-ups), then a larger one after a third sign-up.
      assert.equal((await get('/v1/audit/checkpoint')).statusCode, 200)
      await signUp(app)
      await services.audit.sequencer.flush()
      const latest = json(await get('/v1/audit/checkpoint')) as { tree_size: number }
      assert.ok(latest.tree_size > 4)

      const cursor = await get('/v1/audit?cursor=bm9wZQ')
      assert.equal(cursor.statusCode, 422, cursor.body)
      assert.deepEqual(json(cursor), { error: { cursor: 'Invalid cursor' } })

      const backwards = await get(`/v1/audit/proof/consistency?first=${latest.tree_size}&second=4`)
      assert.equal(backwards.statusCode, 422, backwards.body)
      assert.deepEqual(json(backwards), {
        error: { first: 'first must not be larger than second' },
      })
    })
  })
}
