import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { createConcurrencyLimit } from '../../src/crypto/concurrency-limit.js'
import { isAppError } from '../../src/errors.js'

describe('concurrency limit', () => {
  it('runs at most `max` at once, queues in order, and refuses beyond the queue', async () => {
    const limit = createConcurrencyLimit(2, 3)
    let running = 0
    let most = 0
    const order: number[] = []
    const releases: (() => void)[] = []
    const task = (id: number) => () =>
      new Promise<number>((resolve) => {
        running += 1
        most = Math.max(most, running)
        order.push(id)
        releases.push(() => {
          running -= 1
          resolve(id)
        })
      })
    const accepted = [1, 2, 3, 4, 5].map((id) => limit.run(task(id)))
    await assert.rejects(limit.run(task(6)), (error) => {
      assert.ok(isAppError(error) && error.code === 'RATE_LIMITED')
      return true
    })
    while (releases.length > 0 || order.length < 5) {
      await new Promise((resolve) => setImmediate(resolve))
      releases.shift()?.()
    }
    assert.deepEqual(await Promise.all(accepted), [1, 2, 3, 4, 5])
    assert.deepEqual(order, [1, 2, 3, 4, 5])
    assert.equal(most, 2)
    // Freed up again: new work runs.
    assert.equal(await limit.run(() => Promise.resolve(7)), 7)
  })

  it('frees its slot when a task throws', async () => {
    const limit = createConcurrencyLimit(1, 0)
    await assert.rejects(limit.run(() => Promise.reject(new Error('boom'))))
    assert.equal(await limit.run(() => Promise.resolve('next')), 'next')
  })
})
