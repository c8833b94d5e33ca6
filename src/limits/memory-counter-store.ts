import type { CounterStore, WindowCount } from './counter-store.js'

/**
 * Counters in this process's memory: the default for rate limits on a single node (docs/surfaces/3-lock.md),
 * and the fastest. Every operation is O(1) amortised, and the store never holds more than
 * `maxWindows` windows, however many clients come:
 *
 * - Windows of one length sit in a "lane", a Map in the order they were opened. With a clock that
 *   does not run backwards, that is also the order in which they close, so closed windows are
 *   always at the front of their lane. Each new window drops up to SWEEP_STEP closed windows from
 *   the front of every lane: more than it adds, so closed windows never pile up, and no request
 *   ever scans the open ones.
 * - When `maxWindows` are open, the open window that closes soonest is dropped to make room. Its
 *   client starts counting again early; that takes more distinct clients than `maxWindows` in one
 *   window, and such an attacker has that many fresh counters anyway.
 */
export interface MemoryCounterStore extends CounterStore {
  /** How many windows are held, open or not yet swept. */
  readonly size: number
}

/** Closed windows dropped per lane for each window opened: more than one, so backlogs shrink. */
const SWEEP_STEP = 4

interface Window {
  count: number
  /** Milliseconds since the epoch. */
  endsAt: number
  lane: Map<string, Window>
}

export function createMemoryCounterStore(
  options: { maxWindows?: number } = {},
): MemoryCounterStore {
  const maxWindows = options.maxWindows ?? 100_000
  /** Every window by key. */
  const windows = new Map<string, Window>()
  /** Window length → that length's windows, oldest first. */
  const lanes = new Map<number, Map<string, Window>>()

  const drop = (key: string, window: Window): void => {
    windows.delete(key)
    window.lane.delete(key)
  }

  const sweep = (now: number): void => {
    for (const lane of lanes.values()) {
      let step = 0
      for (const [key, window] of lane) {
        if (step++ === SWEEP_STEP || window.endsAt > now) break
        drop(key, window)
      }
    }
  }

  /** Drops the open window that closes soonest: the front of one of the (few) lanes. */
  const evictOne = (): void => {
    let soonest: [string, Window] | undefined
    for (const lane of lanes.values()) {
      const front = lane.entries().next()
      if (
        front.done !== true &&
        (soonest === undefined || front.value[1].endsAt < soonest[1].endsAt)
      )
        soonest = front.value
    }
    if (soonest !== undefined) drop(...soonest)
  }

  /** The open window of `key`, opened now (at the back of its lane) if the last one closed. */
  const open = (key: string, windowMs: number, now: Date): Window => {
    const existing = windows.get(key)
    if (existing !== undefined && existing.endsAt > now.getTime()) return existing
    if (existing !== undefined) drop(key, existing)
    sweep(now.getTime())
    while (windows.size >= maxWindows) evictOne()
    let lane = lanes.get(windowMs)
    if (lane === undefined) {
      lane = new Map()
      lanes.set(windowMs, lane)
    }
    const window: Window = { count: 0, endsAt: now.getTime() + windowMs, lane }
    windows.set(key, window)
    lane.set(key, window)
    return window
  }

  const view = (window: Window): WindowCount => ({
    count: window.count,
    windowEndsAt: new Date(window.endsAt),
  })

  return {
    get size() {
      return windows.size
    },
    increment(key, windowMs, now) {
      const window = open(key, windowMs, now)
      window.count += 1
      return Promise.resolve(view(window))
    },
    reserve(key, max, windowMs, now) {
      const window = open(key, windowMs, now)
      const reserved = window.count < max
      if (reserved) window.count += 1
      return Promise.resolve({ reserved, ...view(window) })
    },
    release(key, windowEndsAt) {
      const window = windows.get(key)
      if (window?.endsAt === windowEndsAt.getTime() && window.count > 0) window.count -= 1
      return Promise.resolve()
    },
    reset(key) {
      const window = windows.get(key)
      if (window !== undefined) drop(key, window)
      return Promise.resolve()
    },
  }
}
