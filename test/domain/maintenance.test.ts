import assert from 'node:assert/strict'
import { setImmediate as settle } from 'node:timers/promises'
import { describe, it } from 'node:test'

import type { FastifyBaseLogger } from 'fastify'

import { startMaintenance } from '../../src/maintenance.js'
import type { Services } from '../../src/services.js'

const silent = {
  debug: () => undefined,
  warn: () => undefined,
} as unknown as FastifyBaseLogger

describe('maintenance', () => {
  it('sweeps accounts and one-time secrets on every tick until stopped', async (t) => {
    // Mocked intervals: the ticks happen when the test says, not when a busy machine gets to them.
    t.mock.timers.enable({ apis: ['setInterval'] })
    const calls: string[] = []
    const services = {
      accounts: {
        sweep: () => {
          calls.push('accounts')
          return Promise.resolve({ revocations: 0, counters: 0 })
        },
      },
      oneTime: {
        sweep: () => {
          calls.push('oneTime')
          return Promise.resolve({ expired: 0 })
        },
      },
    } as unknown as Pick<Services, 'accounts' | 'oneTime'>
    const maintenance = startMaintenance(services, silent, 5)
    for (let tick = 0; tick < 2; tick++) {
      t.mock.timers.tick(5)
      // Each tick's sweeps run one after the other on promises: let them finish.
      await settle()
    }
    maintenance.stop()
    const seen = calls.length
    assert.ok(calls.filter((call) => call === 'oneTime').length >= 2, calls.join(','))
    assert.ok(calls.filter((call) => call === 'accounts').length >= 2)
    t.mock.timers.tick(30)
    await settle()
    assert.equal(calls.length, seen, 'no sweep after stop')
  })
})
