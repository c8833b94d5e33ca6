/**
 * Scale on one PostgreSQL (part of `npm run bench`): 1, 2 and 3 `strongroom serve` nodes share
 * one database and the 32 connections of audited reads (GET /get_secret, each one a committed
 * audit event). Reports combined throughput, p99, the sealing lag, and the per-request costs the
 * cost model of docs/scaling.md is built from: node CPU per request and PostgreSQL commits per
 * request. On this 2-core machine the nodes, PostgreSQL and the load generator share the CPU,
 * so what this shows is that adding nodes does not make things worse (no shared lock), and
 * what each request costs; docs/scaling.md turns the costs into a prediction for real machines.
 */
import { spawnSync } from 'node:child_process'

import { cpuMs, cpuMsOfCommand } from './lib/cpu.js'
import { postgresSchema, prepareFixture } from './lib/fixture.js'
import { load } from './lib/load.js'
import type { LoadResult } from './lib/load.js'
import { postgresCommits, postgresSealingLag } from './lib/sealing-lag.js'
import type { Lag } from './lib/sealing-lag.js'
import { ROOT, serve } from './lib/server.js'
import type { Served } from './lib/server.js'
import { readPersonal } from './scenarios.js'

export interface NodesRow {
  nodes: number
  rps: number
  p99: number
  failures: number
  lag: Lag
  cpuMsPerRequest: number
  /** CPU of every PostgreSQL process (backends, WAL writer…) per request. */
  pgCpuMsPerRequest: number
  commitsPerRequest: number
}

const CONNECTIONS = 32

export async function benchNodes(options: {
  pgUrl: string
  appSecret: string
  durationSeconds: number
  basePort: number
  dataDir: string
  log: (message: string) => void
}): Promise<NodesRow[]> {
  const rows: NodesRow[] = []
  for (const count of [1, 2, 3]) {
    const schema = await postgresSchema(options.pgUrl)
    const servers: Served[] = []
    try {
      const env = {
        DATABASE_URL: schema.url,
        APP_SECRET: options.appSecret,
        LOG_LEVEL: 'warn',
        DATA_DIR: options.dataDir,
        MALLOC_MMAP_THRESHOLD_: '131072',
      }
      const migrated = spawnSync(process.execPath, ['dist/cli.js', 'migrate'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
      })
      if (migrated.status !== 0) throw new Error(String(migrated.stderr))
      for (let i = 0; i < count; i++) {
        servers.push(await serve(['dist/cli.js', 'serve'], env, options.basePort + i, '/readyz'))
      }
      const first = servers[0]
      if (first === undefined) throw new Error('no node started')
      const fixture = await prepareFixture(first.url)
      options.log(`postgres, ${count} node(s): audited reads at ${CONNECTIONS} connections`)
      const cpuBefore = servers.map((s) => cpuMs(s.pid))
      const commitsBefore = await postgresCommits(schema.url)
      const pgCpuBefore = cpuMsOfCommand('postgres')
      const share = Math.floor(CONNECTIONS / count)
      const results: LoadResult[] = await Promise.all(
        servers.map((server, i) =>
          load({
            url: server.url,
            connections: i === 0 ? CONNECTIONS - share * (count - 1) : share,
            durationSeconds: options.durationSeconds,
            requests: readPersonal({ ...fixture, url: server.url }),
          }),
        ),
      )
      const pgCpu = cpuMsOfCommand('postgres') - pgCpuBefore
      const commits = (await postgresCommits(schema.url)) - commitsBefore
      const cpu = servers.reduce((sum, s, i) => sum + cpuMs(s.pid) - (cpuBefore[i] ?? 0), 0)
      const requests = results.reduce((sum, r) => sum + r.requests, 0)
      await new Promise((resolve) => setTimeout(resolve, 1500)) // the last checkpoint period
      rows.push({
        nodes: count,
        rps: results.reduce((sum, r) => sum + r.rps, 0),
        p99: Math.max(...results.map((r) => r.p99)),
        failures: results.reduce((sum, r) => sum + r.failures, 0),
        lag: await postgresSealingLag(schema.url),
        cpuMsPerRequest: cpu / Math.max(1, requests),
        pgCpuMsPerRequest: pgCpu / Math.max(1, requests),
        commitsPerRequest: commits / Math.max(1, requests),
      })
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
      await schema.drop()
    }
  }
  return rows
}
