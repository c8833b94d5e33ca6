import type { CounterStore, WindowCount } from './counter-store.js'

/**
 * Counters in this process's memory: the default for rate limits on a single node (docs/surfaces/3-lock.md),
 * and the fastest. Closed windows are dropped whenever the map grows past `sweepAbove`, so a
 * flood of distinct client addresses costs memory only for the windows still open.
 */
export function createMemoryCounterStore(options: { sweepAbove?: number } = {}): CounterStore {
  const sweepAbove = options.sweepAbove ?? 10_000
  const windows = new Map<string, WindowCount>()

  const sweep = (now: number): void => {
    for (const [key, window] of windows) {
      if (window.windowEndsAt.getTime() <= now) windows.delete(key)
    }
  }

  /** The open window of `key`, opened now if the last one closed. */
  const open = (key: string, windowMs: number, now: Date): WindowCount => {
    let window = windows.get(key)
    if (window === undefined || window.windowEndsAt <= now) {
      if (windows.size >= sweepAbove) sweep(now.getTime())
      window = { count: 0, windowEndsAt: new Date(now.getTime() + windowMs) }
      windows.set(key, window)
    }
    return window
  }

  return {
    increment(key, windowMs, now) {
      const window = open(key, windowMs, now)
      window.count += 1
      return Promise.resolve({ ...window })
    },
    reserve(key, max, windowMs, now) {
      const window = open(key, windowMs, now)
      const reserved = window.count < max
      if (reserved) window.count += 1
      return Promise.resolve({ reserved, ...window })
    },
    release(key, windowEndsAt) {
      const window = windows.get(key)
      if (window?.windowEndsAt.getTime() === windowEndsAt.getTime() && window.count > 0) {
        window.count -= 1
      }
      return Promise.resolve()
    },
    reset(key) {
      windows.delete(key)
      return Promise.resolve()
    },
  }
}
