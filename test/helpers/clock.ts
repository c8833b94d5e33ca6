import type { Clock } from '../../src/clock.js'

/** A clock that only moves when the test says so. */
export interface ManualClock extends Clock {
  advance(ms: number): void
  set(date: Date): void
}

export function manualClock(start = new Date('2026-11-22T12:00:00.000Z')): ManualClock {
  let now = start.getTime()
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms
    },
    set: (date) => {
      now = date.getTime()
    },
  }
}
