import { rateLimited } from '../errors.js'

export interface ConcurrencyLimit {
  /** Runs `task` once fewer than the limit are running; refuses when too many already wait. */
  run<T>(task: () => Promise<T>): Promise<T>
}

/**
 * At most `max` tasks at once, at most `maxWaiting` waiting (first come, first served); beyond
 * that a task is refused at once with RATE_LIMITED (Retry-After 1 s) instead of queueing
 * without bound. Used to keep argon2 off most of libuv's thread pool (see passwords.ts).
 */
export function createConcurrencyLimit(max: number, maxWaiting: number): ConcurrencyLimit {
  let running = 0
  const waiting: (() => void)[] = []

  const release = (): void => {
    const next = waiting.shift()
    if (next === undefined) running -= 1
    else next()
  }

  return {
    async run(task) {
      if (running >= max) {
        if (waiting.length >= maxWaiting) throw rateLimited(1)
        await new Promise<void>((resolve) => waiting.push(resolve))
      } else {
        running += 1
      }
      try {
        return await task()
      } finally {
        release()
      }
    },
  }
}
