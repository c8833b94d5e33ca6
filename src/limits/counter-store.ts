/**
 * Fixed-window counters, the primitive behind login throttling and rate limits. The SQL store
 * shares counts between nodes through the database; a Redis store can do the same faster. Every
 * operation is a single atomic step on the backing store, so concurrent requests on any number of
 * nodes can neither lose a count nor both take the last one.
 */
export interface WindowCount {
  count: number
  /** When the current window closes and the count starts again at zero. */
  windowEndsAt: Date
}

/** What `reserve` did: `reserved` is false when the window was already full (nothing counted). */
export interface Reservation extends WindowCount {
  reserved: boolean
}

export interface CounterStore {
  /** Adds one in the current window (opening a new window of `windowMs` if the last one closed). */
  increment(key: string, windowMs: number, now: Date): Promise<WindowCount>
  /**
   * Adds one only if fewer than `max` were counted in the current window: the check and the count
   * are one step, so of N concurrent reservations at most `max` succeed. A refused reservation
   * changes nothing and reports the window that refused it.
   */
  reserve(key: string, max: number, windowMs: number, now: Date): Promise<Reservation>
  /**
   * Takes back one count from the window that ends at `windowEndsAt`, if that window is still the
   * current one (a count never moves into a later window) and above zero.
   */
  release(key: string, windowEndsAt: Date): Promise<void>
  reset(key: string): Promise<void>
}
