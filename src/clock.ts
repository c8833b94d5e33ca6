/** Injectable time: services ask the clock, tests move it. Never patch `Date` in a test. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** ISO-8601 UTC with milliseconds: sorts lexically, which the SQL relies on. */
export const isoNow = (clock: Clock): string => clock.now().toISOString()
