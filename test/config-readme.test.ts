import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'

import { CONFIG_VARIABLES, loadConfig } from '../src/config.js'

/** The variable names of the README's configuration table, in its order. */
function readmeVariables(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? ''
  return [...section.matchAll(/^\| `([A-Z0-9_]+)`/gm)].map((match) => match[1] ?? '')
}

describe('README configuration table', () => {
  it('lists exactly the variables the configuration reads', () => {
    assert.deepEqual([...readmeVariables()].sort(), [...CONFIG_VARIABLES].sort())
  })

  it('the parser reads no variable outside that list', () => {
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
    assert.deepEqual(
      [...read].filter((name) => !(CONFIG_VARIABLES as readonly string[]).includes(name)),
      [],
    )
    assert.ok(read.size >= CONFIG_VARIABLES.length - 1)
  })
})
