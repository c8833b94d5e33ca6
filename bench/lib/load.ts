import autocannon from 'autocannon'
import type { Request } from 'autocannon'

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  requests: number
  /** Non-2xx answers and socket errors: a scenario with any is not a clean measurement. */
  failures: number
}

export interface LoadOptions {
  url: string
  connections: number
  durationSeconds: number
  requests: Request[]
  /** Status codes that count as success besides 2xx (e.g. 404 for reading a burnt secret). */
  expectStatus?: number
}

/** Drives `url` with autocannon and reports throughput, latency percentiles and failures. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: options.requests,
    expectBody: undefined,
  })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  }
}
