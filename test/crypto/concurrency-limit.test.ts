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

  describe('with capacity reserved for priority work', () => {
    /** A task that runs until released; `started` says whether it got a slot yet. */
    const held = () => {
      let release: () => void = () => undefined
      const state = {
        started: false,
        release: () => {
          release()
        },
      }
      const task = () =>
        new Promise<void>((resolve) => {
          state.started = true
          release = resolve
        })
      return { state, task }
    }
    const settle = () => new Promise((resolve) => setImmediate(resolve))

    it('never lets ordinary work take the reserved slots', async () => {
      const limit = createConcurrencyLimit(3, 10, 1)
      const [first, second, third] = [held(), held(), held()]
      const done = [first, second, third].map(({ task }) => limit.run(task))
      await settle()
      assert.deepEqual(
        [first.state.started, second.state.started, third.state.started],
        [true, true, false],
      )
      // The reserved slot is free for priority work while ordinary work waits.
      const priority = held()
      const login = limit.runPriority(priority.task)
      await settle()
      assert.equal(priority.state.started, true)
      assert.equal(third.state.started, false)
      priority.state.release()
      await login
      await settle()
      // A freed reserved slot still does not go to ordinary work beyond its share.
      assert.equal(third.state.started, false)
      first.state.release()
      await settle()
      assert.equal(third.state.started, true)
      second.state.release()
      third.state.release()
      await Promise.all(done)
    })

    it('lets priority work use every slot and serves it before waiting ordinary work', async () => {
      const limit = createConcurrencyLimit(2, 10, 1)
      const first = held()
      const second = held()
      const a = limit.runPriority(first.task)
      const b = limit.runPriority(second.task)
      await settle()
      assert.equal(first.state.started && second.state.started, true)
      const ordinary = held()
      const third = held()
      const c = limit.run(ordinary.task)
      const d = limit.runPriority(third.task)
      await settle()
      assert.equal(ordinary.state.started || third.state.started, false)
      // A freed slot goes to the waiting priority task, though the ordinary one came first.
      first.state.release()
      await a
      await settle()
      assert.equal(third.state.started, true)
      assert.equal(ordinary.state.started, false)
      second.state.release()
      await b
      await settle()
      assert.equal(ordinary.state.started, true)
      ordinary.state.release()
      third.state.release()
      await Promise.all([c, d])
    })

    it('refuses ordinary work beyond its own queue without refusing priority work', async () => {
      const limit = createConcurrencyLimit(2, 1, 1)
      const running = held()
      const queued = held()
      const r = limit.run(running.task)
      const q = limit.run(queued.task)
      await assert.rejects(
        limit.run(() => Promise.resolve()),
        (error) => {
          assert.ok(isAppError(error) && error.code === 'RATE_LIMITED')
          return true
        },
      )
      assert.equal(await limit.runPriority(() => Promise.resolve('login')), 'login')
      running.state.release()
      await r
      await settle()
      queued.state.release()
      await q
    })
  })
})
