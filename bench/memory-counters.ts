/**
 * `node --import tsx bench/memory-counters.ts`: what a new client's window costs the in-memory
 * rate-limit store while many windows are open (the Lock limits open three per client and route).
 * The store once scanned every open window for each new one past 10 000; opening a window must
 * cost the same with 1 000 or 300 000 open.
 */
import { performance } from 'node:perf_hooks'

import { createMemoryCounterStore } from '../src/limits/memory-counter-store.js'

const T0 = Date.parse('2026-11-22T12:00:00.000Z')
const MEASURED = 20_000

for (const open of [1_000, 30_000, 300_000]) {
  const store = createMemoryCounterStore({ maxWindows: 1_000_000 })
  for (let i = 0; i < open; i++) await store.increment(`open-${i}`, 86_400_000, new Date(T0))
  const started = performance.now()
  // Every new client arrives after the last one's per-second window closed, while the day-long
  // ones stay open: the case that made the old store scan them all each time.
  for (let i = 0; i < MEASURED; i++) {
    await store.increment(`new-${i}`, 1000, new Date(T0 + i * 1000))
  }
  const perWindowUs = ((performance.now() - started) * 1000) / MEASURED
  console.log(
    `${String(open).padStart(7)} open windows: ${perWindowUs.toFixed(2)} µs per new window`,
  )
}
