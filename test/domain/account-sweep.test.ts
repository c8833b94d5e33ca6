import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { createServices } from '../../src/services.js'
import { openStore } from '../../src/db/connect.js'
import { prepareStore } from '../../src/db/prepare.js'
import { createTestEnvironment } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'

const context = { clientIp: '192.0.2.9', userAgent: 'sweep-test' }

for (const dialect of DIALECTS) {
  describe(`account housekeeping (${dialect})`, () => {
    it('reclaims revocations of expired tokens and closed throttle windows, nothing else', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const store = openStore(environment.config.database)
      t.after(() => store.close())
      await prepareStore(store)
      const clock = manualClock()
      const { accounts } = createServices(environment.config, store, clock)

      await accounts.register({ email: 'sweep@example.com', password: 'pw' }, context)
      const login = await accounts.login(
        { kind: 'email', login: 'sweep@example.com', password: 'pw' },
        context,
      )
      await accounts.logout(await accounts.authenticate(login.token), context)
      await assert.rejects(
        accounts.login({ kind: 'email', login: 'sweep@example.com', password: 'no' }, context),
      )

      assert.deepEqual(await accounts.sweep(), { revocations: 0, counters: 0, accountTokens: 0 })
      clock.advance(3600 * 1000)
      // The token has expired: its revocation no longer needs keeping; both windows have closed.
      assert.deepEqual(await accounts.sweep(), { revocations: 1, counters: 2, accountTokens: 0 })
      assert.deepEqual(await accounts.sweep(), { revocations: 0, counters: 0, accountTokens: 0 })
    })
  })
}
