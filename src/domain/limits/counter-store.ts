/**
 * Fixed-window counters, the primitive behind login throttling (and, on the Lock surface, rate
 * limits). The SQL store shares counts between nodes through the database; a Redis store can do
 * the same faster. Counting must be a single atomic step on the backing store.
 */
export interface WindowCount {
  count: number
  /** When the current window closes and the count starts again at zero. */
  windowEndsAt: Date
}

export interface CounterStore {
  /** The count in the current window, without changing it; undefined when nothing was counted. */
  peek(key: string, now: Date): Promise<WindowCount | undefined>
  /** Adds one in the current window (opening a new window of `windowMs` if the last one closed). */
  increment(key: string, windowMs: number, now: Date): Promise<WindowCount>
  reset(key: string): Promise<void>
}
