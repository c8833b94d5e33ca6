import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { timeOrderedId } from '../../src/crypto/random.js'

describe('timeOrderedId', () => {
  it('is a UUIDv7 whose first 48 bits are the time in milliseconds', () => {
    const at = Date.UTC(2026, 11, 4, 12, 0, 0, 123)
    const id = timeOrderedId(at)
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at)
  })

  it('sorts ids of later milliseconds after earlier ones, and never repeats', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => timeOrderedId(1_700_000_000_000 + i))
    assert.deepEqual([...ids].sort(), ids)
    const sameMillisecond = Array.from({ length: 2000 }, () => timeOrderedId(1_700_000_000_000))
    assert.equal(new Set(sameMillisecond).size, sameMillisecond.length)
  })
})
