import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { buildApp } from '../../src/app.js'
import { createTestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { runCli } from '../helpers/process.js'

for (const dialect of DIALECTS) {
  describe(`keys that do not match the store (${dialect})`, () => {
    it('serve and key-using commands exit 3 with the reason', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      // The first start binds the store to this environment's root (its key check value).
      const app = await buildApp(environment.config)
      await app.close()
      const env = { ...environment.env, APP_SECRET: 'a different secret entirely', PORT: '0' }
      for (const args of [['serve'], ['admin', 'grant', '--id', '1']]) {
        const result = runCli(args, env)
        assert.equal(result.code, 3, result.stderr)
        assert.match(result.stderr, /do not match the store/)
        assert.match(result.stderr, /APP_SECRET_PREVIOUS/)
      }
    })
  })
}
