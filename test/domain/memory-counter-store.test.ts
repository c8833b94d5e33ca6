import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { createMemoryCounterStore } from '../../src/limits/memory-counter-store.js'
import type { MemoryCounterStore } from '../../src/limits/memory-counter-store.js'

const T0 = new Date('2026-11-22T12:00:00.000Z').getTime()
const at = (ms: number): Date => new Date(T0 + ms)
/** The store's size, read afresh (an assertion on `store.size` would pin its type). */
const heldBy = (store: MemoryCounterStore): number => store.size

describe('memory counters', () => {
  it('holds only about the open windows while a stream of new clients passes', async () => {
    const store = createMemoryCounterStore({ maxWindows: 1_000_000 })
    // One new client per millisecond, each window 100 ms: about 100 are open at any moment.
    let largest = 0
    for (let i = 0; i < 20_000; i++) {
      await store.increment(`client-${i}`, 100, at(i))
      largest = Math.max(largest, store.size)
    }
    assert.ok(largest <= 101 + 4, `held ${largest} windows for ~100 open ones`)
  })

  it('drops closed windows of every length, not only of the length being opened', async () => {
    const store = createMemoryCounterStore()
    for (let i = 0; i < 500; i++) await store.increment(`hourly-${i}`, 3_600_000, at(0))
    assert.equal(heldBy(store), 500)
    // An hour later, per-second windows keep opening: the hourly lane empties too.
    for (let i = 0; i < 200; i++)
      await store.increment(`second-${i}`, 1000, at(3_600_000 + i * 1000))
    assert.ok(store.size <= 2, `held ${store.size} windows, expected only the open one`)
  })

  it('never holds more than maxWindows, dropping the window that closes soonest', async () => {
    const store = createMemoryCounterStore({ maxWindows: 100 })
    // Long windows first, then more short ones than fit: short ones are evicted, long ones stay.
    for (let i = 0; i < 50; i++) await store.increment(`long-${i}`, 3_600_000, at(0))
    for (let i = 0; i < 1000; i++) {
      await store.increment(`short-${i}`, 60_000, at(1))
      assert.ok(store.size <= 100)
    }
    assert.equal(store.size, 100)
    // Every long window kept its count; the newest short windows are held, the oldest were not.
    for (let i = 0; i < 50; i++) {
      assert.equal((await store.increment(`long-${i}`, 3_600_000, at(2))).count, 2, `long-${i}`)
    }
    assert.equal((await store.increment('short-999', 60_000, at(2))).count, 2)
    assert.equal((await store.increment('short-0', 60_000, at(2))).count, 1, 'evicted, counts anew')
  })

  it('counts within a window, starts again after it, and resets and releases by key', async () => {
    const store = createMemoryCounterStore({ maxWindows: 10 })
    for (let i = 1; i <= 3; i++) {
      assert.deepEqual(await store.increment('a', 1000, at(i)), {
        count: i,
        windowEndsAt: at(1001),
      })
    }
    assert.deepEqual(await store.increment('a', 1000, at(1001)), {
      count: 1,
      windowEndsAt: at(2001),
    })
    assert.deepEqual(await store.reserve('a', 2, 1000, at(1500)), {
      reserved: true,
      count: 2,
      windowEndsAt: at(2001),
    })
    assert.equal((await store.reserve('a', 2, 1000, at(1500))).reserved, false)
    await store.release('a', at(1001))
    assert.equal((await store.reserve('a', 2, 1000, at(1500))).reserved, false, 'stale release')
    await store.release('a', at(2001))
    assert.equal((await store.reserve('a', 2, 1000, at(1500))).reserved, true)
    await store.reset('a')
    assert.equal(store.size, 0)
    assert.equal((await store.increment('a', 1000, at(1600))).count, 1)
    // A reopened key moves to the back of its lane: an older neighbour is swept first.
    await store.increment('b', 1000, at(1700))
    await store.increment('a', 1000, at(2700))
    await store.increment('c', 1000, at(2750))
    assert.equal((await store.increment('b', 1000, at(2750))).count, 1, 'b had closed')
    assert.equal((await store.increment('a', 1000, at(2750))).count, 2)
  })
})
