import { rateLimited } from '../errors.js'

export interface ConcurrencyLimit {
  /**
   * Ordinary work: runs once a slot outside the reserved ones is free; refused at once with
   * RATE_LIMITED (Retry-After 1 s) when `maxWaiting` ordinary tasks already wait.
   */
  run<T>(task: () => Promise<T>): Promise<T>
  /**
   * Priority work: may take any slot, reserved ones included, and is served before waiting
   * ordinary work. Its queue is its own, so no amount of ordinary work can get it refused.
   */
  runPriority<T>(task: () => Promise<T>): Promise<T>
}

/**
 * At most `max` tasks at once, of which ordinary tasks may hold at most `max - reserved`: the
 * reserved slots are kept for priority work (logins, see passwords.ts), so a storm of ordinary
 * work can slow priority work down by at most the slots it holds, never queue it behind itself.
 * Each class has its own first-come-first-served queue of at most `maxWaiting`; beyond that a
 * task is refused instead of queueing without bound.
 */
export function createConcurrencyLimit(
  max: number,
  maxWaiting: number,
  reserved = 0,
): ConcurrencyLimit {
  if (!(reserved >= 0 && reserved < max)) throw new Error('reserved must leave a slot for work')
  const ordinaryMax = max - reserved
  let running = 0
  let ordinaryRunning = 0
  const waitingPriority: (() => void)[] = []
  const waitingOrdinary: (() => void)[] = []

  const canStartOrdinary = (): boolean => running < max && ordinaryRunning < ordinaryMax

  /** Hands freed capacity on: priority first, then ordinary work while it stays in its share. */
  const dispatch = (): void => {
    while (running < max) {
      const next =
        waitingPriority.shift() ?? (canStartOrdinary() ? waitingOrdinary.shift() : undefined)
      if (next === undefined) return
      next()
    }
  }

  const runPriority = async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= max) {
      if (waitingPriority.length >= maxWaiting) throw rateLimited(1)
      await new Promise<void>((resolve) =>
        waitingPriority.push(() => {
          running += 1
          resolve()
        }),
      )
    } else {
      running += 1
    }
    try {
      return await task()
    } finally {
      running -= 1
      dispatch()
    }
  }

  const run = async <T>(task: () => Promise<T>): Promise<T> => {
    // Ordinary work also yields to priority work that is already queued.
    if (!canStartOrdinary() || waitingPriority.length > 0 || waitingOrdinary.length > 0) {
      if (waitingOrdinary.length >= maxWaiting) throw rateLimited(1)
      await new Promise<void>((resolve) =>
        waitingOrdinary.push(() => {
          running += 1
          ordinaryRunning += 1
          resolve()
        }),
      )
    } else {
      running += 1
      ordinaryRunning += 1
    }
    try {
      return await task()
    } finally {
      running -= 1
      ordinaryRunning -= 1
      dispatch()
    }
  }

  return { run, runPriority }
}
