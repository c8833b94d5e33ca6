import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'

/**
 * `npm test` stays fast because nothing in it spawns a process: tests that start the built CLI
 * or a server (test/helpers/process.ts) belong to the e2e, hostile or browser tiers
 * (scripts/run-tests.mjs), which CI runs too.
 */
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  )

describe('test tiers', () => {
  it('no file of npm test spawns the CLI or a server', () => {
    const itself = path.join('test', 'architecture', 'test-tiers.test.ts')
    const files = walk('test').filter((file) => file.endsWith('.test.ts') && file !== itself)
    assert.ok(files.length > 0)
    const spawning = files.filter((file) =>
      /from '\.\.?\/(\.\.\/)*helpers\/process\.js'|node:child_process/.test(
        readFileSync(file, 'utf8'),
      ),
    )
    assert.deepEqual(spawning, [])
  })
})
