#!/usr/bin/env node
// Runs the test files with node:test through tsx. Node 20's `--test` does not expand globs, so
// the files are listed here. `npm test` runs test/**/*.test.ts; `npm run test:hostile` runs the
// slow hostile-conditions suite, test/hostile/*.hostile.ts; `npm run test:browser` the web app in
// headless Chromium, test/browser/*.browser.ts. Arguments filter by path substring:
// `npm test -- crypto audit`.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, utimesSync } from 'node:fs'
import path from 'node:path'

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  )

const args = process.argv.slice(2)
const hostile = args.includes('--hostile')
const browser = args.includes('--browser')
const filters = args.filter((arg) => arg !== '--hostile' && arg !== '--browser')
const suffix = hostile ? '.hostile.ts' : browser ? '.browser.ts' : '.test.ts'
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
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=600000',
    ...files,
  ],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
