/** Injectable time: services ask the clock, tests move it. Never patch `Date` in a test. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }
