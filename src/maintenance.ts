import type { FastifyBaseLogger } from 'fastify'

import type { Services } from './services.js'

/** How often expired rows are reclaimed. Only space depends on it, never correctness. */
export const SWEEP_INTERVAL_MS = 60_000

/**
 * Periodic housekeeping for a serving node: each domain's `sweep` deletes rows that can no longer
 * matter. Every node may run it; the deletes are idempotent. A failed sweep is logged and retried
 * at the next tick, never fatal.
 */
export function startMaintenance(
  services: Pick<Services, 'accounts' | 'oneTime'>,
  log: FastifyBaseLogger,
  intervalMs = SWEEP_INTERVAL_MS,
): { stop(): void } {
  let running = false
  const tick = async (): Promise<void> => {
    if (running) return
    running = true
    // Each domain's sweep on its own: one failing must not stop the others reclaiming space.
    const sweeps = {
      accounts: () => services.accounts.sweep(),
      oneTime: () => services.oneTime.sweep(),
    }
    try {
      for (const [name, sweep] of Object.entries(sweeps)) {
        try {
          log.debug({ swept: { [name]: await sweep() } }, 'maintenance sweep')
        } catch (error) {
          log.warn(
            { sweep: name, err: { message: error instanceof Error ? error.message : 'unknown' } },
            'maintenance sweep failed',
          )
        }
      }
    } finally {
      running = false
    }
  }
  const timer = setInterval(() => void tick(), intervalMs)
  timer.unref()
  return {
    stop: () => {
      clearInterval(timer)
    },
  }
}
