import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, it } from 'node:test'

import type { FastifyBaseLogger } from 'fastify'

import { startMaintenance } from '../../src/maintenance.js'
import type { Services } from '../../src/services.js'

const silent = {
  debug: () => undefined,
  warn: () => undefined,
} as unknown as FastifyBaseLogger

describe('maintenance', () => {
  it('sweeps accounts and one-time secrets on every tick until stopped', async () => {
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
    await sleep(60)
    maintenance.stop()
    const seen = calls.length
    assert.ok(calls.filter((call) => call === 'oneTime').length >= 2, calls.join(','))
    assert.ok(calls.filter((call) => call === 'accounts').length >= 2)
    await sleep(30)
    assert.equal(calls.length, seen, 'no sweep after stop')
  })
})
