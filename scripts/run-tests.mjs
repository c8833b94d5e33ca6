#!/usr/bin/env node
// Runs the test files with node:test through tsx. Node 20's `--test` does not expand globs, so
// the files are listed here. Four tiers, by file suffix:
//   npm test                  test/**/*.test.ts     in one process each, the app through inject
//   npm run test:e2e          test/**/*.e2e.ts      spawn the built CLI and servers (dist/)
//   npm run test:hostile      test/**/*.hostile.ts  crash, several nodes, fuzz and flood
//   npm run test:browser      test/**/*.browser.ts  the web app in headless Chromium
// Arguments filter by path substring: `npm test -- crypto audit`.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, utimesSync } from 'node:fs'
import path from 'node:path'

import { transpileTests } from './transpile-tests.mjs'

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  )

const args = process.argv.slice(2)
const TIERS = { '--e2e': '.e2e.ts', '--hostile': '.hostile.ts', '--browser': '.browser.ts' }
const tier = args.find((arg) => arg in TIERS)
const filters = args.filter((arg) => !(arg in TIERS))
const suffix = tier === undefined ? '.test.ts' : TIERS[tier]
const hostile = tier === '--hostile'
const browser = tier === '--browser'
const files = walk('test')
  .filter((file) => file.endsWith(suffix))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort()

if (files.length === 0) {
  console.error(`no ${suffix} files match ${filters.join(' ')}`)
  process.exit(1)
}

// Tests that spawn the CLI or a server run the built dist/ (test/helpers/process.ts): build it
// first, incrementally (a few seconds when little changed), only when such a test is selected.
// The build info's time is what the helper compares src/ against, so it is stamped even when tsc
// had nothing to write.
if (files.some((file) => readFileSync(file, 'utf8').includes('helpers/process.js'))) {
  const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' })
  if (build.status !== 0) {
    console.error('npm run build failed: the process tests need dist/')
    process.exit(build.status ?? 1)
  }
  const now = new Date()
  utimesSync('dist/.tsbuildinfo', now, now)
}

// Hostile tests start servers and load them: one file at a time, so they measure the server
// and not each other.
// Browser tests run one Chromium at a time for the same reason.
const concurrency = hostile || browser ? '1' : (process.env.TEST_CONCURRENCY ?? '2')
// `npm test` runs plain JavaScript transpiled from src/ and test/ (transpile-tests.mjs says why);
// the other tiers spend their time in the processes they start and run through tsx.
const runnable = tier === undefined ? await transpileTests() : undefined
const result = spawnSync(
  process.execPath,
  [
    ...(runnable === undefined ? ['--import', 'tsx'] : ['--enable-source-maps']),
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=600000',
    ...(runnable === undefined ? files : files.map(runnable)),
  ],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
