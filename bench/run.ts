/**
 * `npm run bench`: Strongroom's speed against this machine's ceilings, in one run.
 *
 * Builds nothing itself: `npm run bench` builds first, then this starts `node dist/cli.js serve`
 * on loopback (SQLite, then PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set),
 * drives it with autocannon, and prints one markdown table. `--write` also stores it in
 * docs/benchmarks.md. Every process it starts stops by itself.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { benchNodes } from './nodes.js'
import { cpuMs } from './lib/cpu.js'
import { benchSequencer } from './sequencer.js'
import { benchReseal } from './reseal.js'
import type { NodesRow } from './nodes.js'
import { postgresSchema, prepareFixture } from './lib/fixture.js'
import { postgresSealingLag, sqliteSealingLag } from './lib/sealing-lag.js'
import type { Lag } from './lib/sealing-lag.js'
import { barChart } from './lib/svg.js'
import type { Bar } from './lib/svg.js'
import { load } from './lib/load.js'
import type { LoadResult } from './lib/load.js'
import { ROOT, rssBytes, sampleRss, serve } from './lib/server.js'
import type { Served } from './lib/server.js'
import { scenarios } from './scenarios.js'
import type { Row } from './scenarios.js'

const DURATION = Number(process.env.BENCH_SECONDS ?? 8)
const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
const APP_SECRET = 'benchmark-app-secret-not-for-production'
const PORT = 50_100
const write = process.argv.includes('--write')
/** `BENCH_ONLY=<text>`: only the scenarios whose name contains it, and no node or sealing runs. */
const ONLY = process.env.BENCH_ONLY
if (write && ONLY !== undefined) throw new Error('--write needs every scenario: unset BENCH_ONLY')

function log(message: string): void {
  process.stderr.write(`${message}\n`)
}

/**
 * Runs a load against a server and adds what it cost the server: peak RSS, and CPU time per
 * request. CPU per request is the figure that holds on a busy machine: throughput falls when
 * other processes take the cores, the work each request costs does not.
 */
async function measure(
  server: Served,
  run: () => Promise<LoadResult>,
): Promise<LoadResult & { peakRss: number; cpuUsPerRequest: number }> {
  const rss = sampleRss(server.pid)
  const cpuBefore = cpuMs(server.pid)
  const result = await run()
  const cpuUsPerRequest = ((cpuMs(server.pid) - cpuBefore) * 1000) / Math.max(1, result.requests)
  return { ...result, peakRss: rss.stop(), cpuUsPerRequest }
}

async function ceilingRow(): Promise<Row> {
  const bare = await serve(['--import', 'tsx', 'bench/bare-http.ts'], {}, PORT + 100, '/')
  try {
    const result = await measure(bare, () =>
      load({
        url: bare.url,
        connections: 32,
        durationSeconds: DURATION,
        requests: [{ path: '/' }],
      }),
    )
    return {
      scenario: 'Ceiling: bare node:http, same body',
      store: '—',
      connections: 32,
      ...result,
    }
  } finally {
    await bare.stop()
  }
}

function rawCommitCeiling(): number {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'bench/raw-commits.ts', String(Math.min(DURATION, 5))],
    { cwd: ROOT, encoding: 'utf8' },
  )
  return (JSON.parse(output) as { commitsPerSecond: number }).commitsPerSecond
}

async function benchStore(store: 'sqlite' | 'postgres', env: Record<string, string>) {
  const rows: Row[] = []
  // Started exactly as `npm start` starts it (package.json), fixed mmap threshold included.
  const server = await serve(
    ['dist/cli.js', 'serve'],
    { MALLOC_MMAP_THRESHOLD_: '131072', ...env },
    PORT,
    '/readyz',
  )
  log(`${store}: ready in ${server.startupMs.toFixed(0)} ms`)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const idleRss = rssBytes(server.pid)
  try {
    const fixture = await prepareFixture(server.url)
    for (const scenario of scenarios) {
      if (scenario.stores !== undefined && !scenario.stores.includes(store)) continue
      if (ONLY !== undefined && !scenario.name.includes(ONLY)) continue
      for (const connections of scenario.connections) {
        log(`${store}: ${scenario.name} at ${connections} connections`)
        const result = await measure(server, () =>
          scenario.run(fixture, { connections, durationSeconds: DURATION }),
        )
        rows.push({ scenario: scenario.name, store, connections, ...result })
      }
    }
  } finally {
    await server.stop()
  }
  return { rows, startupMs: server.startupMs, idleRss }
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0)

/**
 * The load comes from one address: per-client limits on anonymous routes would measure the
 * limiter's refusals, not the work, so they are set out of the way.
 */
const UNLIMITED_ANONYMOUS = {
  ANONYMOUS_HASH_RATE_LIMITS: '1000000/second',
  ONE_TIME_CREATE_RATE_LIMITS: '1000000/second',
  ONE_TIME_MAX_LIVE_BYTES_PER_CLIENT: String(1024 * 1024 * 1024),
}

async function main(): Promise<void> {
  log('ceiling: bare node:http')
  const ceiling = await ceilingRow()
  log('ceiling: raw SQLite commits')
  const commitCeiling = rawCommitCeiling()

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'strongroom-bench-'))
  const sqlite = await benchStore('sqlite', {
    DATA_DIR: dataDir,
    APP_SECRET,
    LOG_LEVEL: 'warn',
    LOCK_RATE_LIMITS: '1000000/second',
    ...UNLIMITED_ANONYMOUS,
  })
  const sqliteLag = sqliteSealingLag(path.join(dataDir, 'strongroom.db'))
  rmSync(dataDir, { recursive: true, force: true })

  let postgres: Awaited<ReturnType<typeof benchStore>> | undefined
  let postgresLag: Lag | undefined
  let nodes: NodesRow[] = []
  if (PG_URL !== undefined) {
    const schema = await postgresSchema(PG_URL)
    try {
      const env = {
        DATABASE_URL: schema.url,
        APP_SECRET,
        LOG_LEVEL: 'warn',
        DATA_DIR: os.tmpdir(),
        ...UNLIMITED_ANONYMOUS,
      }
      const migrated = spawnSync(process.execPath, ['dist/cli.js', 'migrate'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
      })
      if (migrated.status !== 0) throw new Error(String(migrated.stderr))
      postgres = await benchStore('postgres', env)
      postgresLag = await postgresSealingLag(schema.url)
    } finally {
      await schema.drop()
    }
    if (ONLY === undefined)
      nodes = await benchNodes({
        pgUrl: PG_URL,
        appSecret: APP_SECRET,
        durationSeconds: DURATION,
        basePort: PORT + 10,
        dataDir: os.tmpdir(),
        log,
      })
  }

  const lines = [
    '| Scenario | Store | Conns | req/s | p50 ms | p99 ms | Server CPU µs / request | Peak RSS MB | Against the ceiling |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    `| ${ceiling.scenario} | — | 32 | ${ceiling.rps.toFixed(0)} | ${ceiling.p50} | ${ceiling.p99} | ${ceiling.cpuUsPerRequest.toFixed(0)} | ${mb(ceiling.peakRss)} | 100% |`,
    `| Ceiling: raw SQLite commits (WAL, synchronous=FULL) | sqlite | 1 | ${commitCeiling.toFixed(0)} commits/s | | | | | 100% |`,
  ]
  for (const row of [...sqlite.rows, ...(postgres?.rows ?? [])]) {
    const against =
      row.ceiling === 'http'
        ? `${((row.rps / ceiling.rps) * 100).toFixed(0)}% of node:http`
        : row.ceiling === 'commit'
          ? `${((row.rps / commitCeiling) * 100).toFixed(0)}% of raw commits`
          : (row.note ?? '')
    const failures = row.failures > 0 ? ` (${row.failures} failed)` : ''
    lines.push(
      `| ${row.scenario} | ${row.store} | ${row.connections} | ${row.rps.toFixed(0)}${failures} | ${row.p50} | ${row.p99} | ${row.cpuUsPerRequest.toFixed(0)} | ${mb(row.peakRss)} | ${against} |`,
    )
  }
  log('sequencer: sealing 20 000 events on each store')
  const sealing =
    ONLY === undefined
      ? await benchSequencer({ pgUrl: PG_URL, appSecret: APP_SECRET })
      : { sqlite: Number.NaN, postgres: undefined }
  log('re-seal: a data-key rotation under reads (SQLite)')
  const reseal =
    ONLY === undefined
      ? await benchReseal({
          appSecret: APP_SECRET,
          port: PORT + 50,
          durationSeconds: Math.min(DURATION, 5),
          log,
        })
      : undefined
  const lagLine = (store: string, lag: Lag): string =>
    `Sealing lag (${store}, commit to sealed, ${lag.events} events): p50 ${lag.p50} ms, p99 ${lag.p99} ms, max ${lag.max} ms.`
  const nodeLines =
    nodes.length === 0
      ? []
      : [
          '',
          '| PostgreSQL nodes | Audited reads req/s (combined) | p99 ms | Sealing lag p50 / p99 ms | Node CPU ms / request | PostgreSQL CPU ms / request | PG commits / request |',
          '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
          ...nodes.map(
            (row) =>
              `| ${row.nodes} | ${row.rps.toFixed(0)}${row.failures > 0 ? ` (${row.failures} failed)` : ''} | ${row.p99} | ${row.lag.p50} / ${row.lag.p99} | ${row.cpuMsPerRequest.toFixed(3)} | ${row.pgCpuMsPerRequest.toFixed(3)} | ${row.commitsPerRequest.toFixed(2)} |`,
          ),
        ]
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  const summary = [
    `Sealing throughput of one sequencer: SQLite ${sealing.sqlite.toFixed(0)} events/s${sealing.postgres === undefined ? '' : `, PostgreSQL ${sealing.postgres.toFixed(0)} events/s`}.`,
    lagLine('SQLite', sqliteLag),
    ...(postgresLag === undefined ? [] : [lagLine('PostgreSQL', postgresLag)]),
    ...(reseal === undefined
      ? []
      : [
          `Key rotation (SQLite, \`keys rotate\`): re-sealed ${reseal.ciphertexts} ciphertexts at ${reseal.perSecond}/s; an authenticated vault read's p99 was ${reseal.duringP99} ms during the re-seal against ${reseal.idleP99} ms idle (8 connections${reseal.failures > 0 ? `, ${reseal.failures} failed` : ''}).`,
        ]),
    `Start-up to ready: SQLite ${sqlite.startupMs.toFixed(0)} ms${postgres === undefined ? '' : `, PostgreSQL ${postgres.startupMs.toFixed(0)} ms`}.`,
    `Idle RSS after start: SQLite ${mb(sqlite.idleRss)} MB${postgres === undefined ? '' : `, PostgreSQL ${mb(postgres.idleRss)} MB`}.`,
    `Machine: ${os.cpus().length} × ${cpu}, ${mb(os.totalmem())} MB RAM, Node ${process.version}, ${DURATION} s per scenario.`,
  ]
  const table = `${[...lines, ...nodeLines].join('\n')}\n\n${summary.join('\n')}\n`
  process.stdout.write(table)

  if (write) {
    const file = path.join(ROOT, 'docs/benchmarks.md')
    const current = readFileSync(file, 'utf8')
    const start = current.indexOf('<!-- results -->')
    const end = current.indexOf('<!-- /results -->')
    if (start < 0 || end < 0) throw new Error('docs/benchmarks.md lacks the results markers')
    const stamp = `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.\n\n`
    writeFileSync(
      file,
      `${current.slice(0, start + '<!-- results -->'.length)}\n${stamp}${table}${current.slice(end)}`,
    )
    log(`wrote ${file}`)
    writeCharts(ceiling, commitCeiling, [...sqlite.rows, ...(postgres?.rows ?? [])], nodes)
  }
}

/** The charts the README and docs/benchmarks.md show: throughput against the ceilings, and nodes. */
function writeCharts(
  ceiling: Row,
  commitCeiling: number,
  rows: readonly Row[],
  nodes: readonly NodesRow[],
): void {
  const at32 = rows.filter((row) => row.connections === 32 && row.ceiling !== undefined)
  const bars: Bar[] = [
    {
      label: 'bare node:http (ceiling)',
      value: ceiling.rps,
      text: `${ceiling.rps.toFixed(0)} req/s`,
      reference: true,
    },
    {
      label: 'raw SQLite commits (ceiling)',
      value: commitCeiling,
      text: `${commitCeiling.toFixed(0)} commits/s`,
      reference: true,
    },
    ...at32.map((row) => ({
      label: `${row.scenario.replace(/ \(.*\)$/, '')} · ${row.store}`,
      value: row.rps,
      text: `${row.rps.toFixed(0)} req/s, p99 ${row.p99} ms`,
    })),
  ]
  writeFileSync(
    path.join(ROOT, 'docs/bench-throughput.svg'),
    barChart('Requests per second at 32 connections, beside the ceilings', bars),
  )
  if (nodes.length > 0) {
    writeFileSync(
      path.join(ROOT, 'docs/bench-nodes.svg'),
      barChart(
        'Audited reads on one PostgreSQL: combined req/s by number of nodes (one 2-core machine)',
        nodes.map((row) => ({
          label: `${row.nodes} node${row.nodes === 1 ? '' : 's'}`,
          value: row.rps,
          text: `${row.rps.toFixed(0)} req/s, p99 ${row.p99} ms, sealing p99 ${row.lag.p99} ms`,
        })),
      ),
    )
  }
}

await main()
