import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'

import { configHelpText, configTableRows } from '../src/config-docs.js'
import { CONFIG_TABLE, CONFIG_VARIABLES } from '../src/config-variables.js'
import { loadConfig } from '../src/config.js'

/** The rows of the README's configuration table, each cell trimmed of Prettier's padding. */
function readmeRows(): string[][] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? ''
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    )
}

describe('configuration table', () => {
  it('is the README table, row for row (npm run docs:config rewrites it)', () => {
    assert.deepEqual(readmeRows(), configTableRows())
  })

  it('the parser reads every variable of the table and none outside it', () => {
    const read = new Set<string>()
    const env = new Proxy<Record<string, string | undefined>>(
      {},
      {
        get(_target, name) {
          if (typeof name === 'string') read.add(name)
          return undefined
        },
      },
    )
    loadConfig(env)
    assert.deepEqual([...read].sort(), [...CONFIG_VARIABLES].sort())
  })

  it('gives every integer bounds its default lies within, and the parser enforces them', () => {
    for (const spec of CONFIG_TABLE) {
      if (spec.type !== 'integer') continue
      const { min, max } = spec as { min: number; max: number }
      const fallback = Number(spec.default)
      assert.ok(min <= fallback && fallback <= max, spec.name)
      assert.throws(() => loadConfig({ [spec.name]: String(max + 1) }), {
        message: new RegExp(`${spec.name} must be a whole number from ${min} to ${max}`),
      })
      assert.throws(() => loadConfig({ [spec.name]: String(min - 1) }), {
        message: new RegExp(spec.name),
      })
    }
  })

  it('applies each default as written in the table', () => {
    const { config } = loadConfig({})
    assert.equal(config.port, 49_999)
    assert.equal(config.host, '0.0.0.0')
    assert.equal(config.oneTimeMaxTtlSeconds, 30 * 24 * 3600)
    assert.deepEqual(
      config.lockRateLimits.map((limit) => limit.text),
      ['1/second', '5/minute', '10/hour'],
    )
    assert.equal(config.eventsPublic, false)
  })

  it('is printed in full by `strongroom help config`, without Markdown', () => {
    const help = configHelpText()
    for (const name of CONFIG_VARIABLES)
      assert.match(help, new RegExp(`^  ${name}  \\(default: `, 'm'))
    assert.doesNotMatch(help, /`/)
    assert.match(
      help,
      /^ {2}PORT {2}\(default: 49999\)\n {6}TCP port\. Whole number from 0 to 65535\.$/m,
    )
    for (const line of help.split('\n')) assert.ok(line.length <= 100, line)
  })
})
