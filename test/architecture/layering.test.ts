import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'

/**
 * The layering of docs/architecture.md, checked over the real import graph of src/:
 * surfaces → http → services → domain → db/crypto/limits. A surface never imports another surface
 * (what two share lives in surfaces/common/ or http/); a domain never imports HTTP or another
 * domain's repository (it asks that domain's service); db and crypto import no layer above them.
 * And the domain speaks domain words: its errors name inputs, never where a request carried them.
 */

const SRC = 'src'

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  )

interface Edge {
  from: string
  to: string
}

/** Every relative import and re-export of every source file, resolved to a path under src/. */
function importGraph(): Edge[] {
  const edges: Edge[] = []
  for (const file of walk(SRC).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      const target = path.normalize(path.join(path.dirname(file), match[1] ?? ''))
      edges.push({ from: file, to: target.replace(/\.js$/, '.ts') })
    }
  }
  return edges
}

/** `src/surfaces/lock/routes.ts` → ['surfaces', 'lock']: the layer and, below it, the room. */
const place = (file: string): [string, string] => {
  const [, layer = '', room = ''] = file.split(path.sep)
  return [layer, room]
}

const isRepository = (file: string): boolean => /(^|[-/])repo\.ts$/.test(path.basename(file))

/** Imports that break a rule, each with the rule it breaks. */
function violations(edges: readonly Edge[]): string[] {
  const found: string[] = []
  for (const { from, to } of edges) {
    const [fromLayer, fromRoom] = place(from)
    const [toLayer, toRoom] = place(to)
    const say = (rule: string): void => {
      found.push(`${from} → ${to}: ${rule}`)
    }
    if (fromLayer === 'surfaces' && toLayer === 'surfaces') {
      if (fromRoom !== toRoom && toRoom !== 'common') say('a surface imports another surface')
    }
    if (fromLayer === 'web-app' && toLayer === 'surfaces' && toRoom !== 'common') {
      say('the web app imports a surface')
    }
    if (fromLayer === 'domain' && ['http', 'surfaces', 'web-app'].includes(toLayer)) {
      say('the domain imports HTTP')
    }
    if (fromLayer === 'domain' && toLayer === 'domain' && fromRoom !== toRoom && isRepository(to)) {
      say("a domain imports another domain's repository")
    }
    if (
      ['db', 'crypto', 'limits'].includes(fromLayer) &&
      ['domain', 'http', 'surfaces', 'web-app', 'services.ts'].includes(toLayer)
    ) {
      // One defended exception: the migration that keys identifiers must compute them with the
      // very code registration uses (its own comment says why).
      if (!from.endsWith('2026-12-03T1100-identifier-claims.ts'))
        say('a low layer imports a higher one')
    }
    if (fromLayer === 'http' && ['surfaces', 'web-app'].includes(toLayer)) {
      say('http imports a surface')
    }
  }
  return found
}

describe('layering of src/', () => {
  it('finds the imports it checks', () => {
    const edges = importGraph()
    assert.ok(edges.length > 300, `only ${edges.length} imports found: the scan is broken`)
    assert.ok(edges.some((edge) => edge.from.startsWith(path.join(SRC, 'surfaces'))))
  })

  it('names a breach when there is one', () => {
    const breaches = violations([
      { from: 'src/surfaces/generate/routes.ts', to: 'src/surfaces/one-time-api/http.ts' },
      { from: 'src/domain/lock/lock-service.ts', to: 'src/domain/accounts/users-repo.ts' },
      { from: 'src/domain/vault/vault-service.ts', to: 'src/http/authenticate.ts' },
      { from: 'src/crypto/keys.ts', to: 'src/domain/accounts/identity.ts' },
      { from: 'src/surfaces/generate/routes.ts', to: 'src/surfaces/common/one-time.ts' },
    ])
    assert.equal(breaches.length, 4, breaches.join('\n'))
  })

  it('holds for every import', () => {
    assert.deepEqual(violations(importGraph()), [])
  })
})

/**
 * Domain files that place an input in a request (`location: 'body'`): a service names the input
 * (`invalidInput('username', …)`) and src/http/input-locations.ts says where it arrives.
 */
function requestLocations(files: readonly { file: string; text: string }[]): string[] {
  return files
    .filter(({ file }) => place(file)[0] === 'domain')
    .flatMap(({ file, text }) =>
      text
        .split('\n')
        .flatMap((line, index) => (/\blocation\s*:/.test(line) ? [`${file}:${index + 1}`] : [])),
    )
}

describe('the domain speaks domain words', () => {
  it('names a request location when a domain file writes one', () => {
    const found = requestLocations([
      { file: 'src/domain/vault/vault-errors.ts', text: "x\n  issues: [{ location: 'body' }]" },
      { file: 'src/http/normalize-error.ts', text: "{ location: 'query' }" },
    ])
    assert.deepEqual(found, ['src/domain/vault/vault-errors.ts:2'])
  })

  it('never places an input in a request', () => {
    const files = walk(path.join(SRC, 'domain'))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => ({ file, text: readFileSync(file, 'utf8') }))
    assert.ok(files.length > 50, `only ${files.length} domain files found: the scan is broken`)
    assert.deepEqual(requestLocations(files), [])
  })
})

describe('what the browser bundle takes from src/', () => {
  it('is import-free, so no server module can follow it into the bundle', () => {
    const webSources = walk('web/src').filter((file) => /\.tsx?$/.test(file))
    const fromSrc = webSources.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from\s+'((?:\.\.\/)+src\/[^']+)'/g)].map((match) =>
        path.normalize(path.join(path.dirname(file), match[1] ?? '')).replace(/\.js$/, '.ts'),
      ),
    )
    assert.deepEqual([...new Set(fromSrc)].sort(), [
      path.join('src', 'crypto', 'checkpoint-format.ts'),
      path.join('src', 'domain', 'audit', 'event-view.ts'),
      path.join('src', 'domain', 'audit', 'leaf-encoding.ts'),
    ])
    for (const file of fromSrc) {
      assert.doesNotMatch(readFileSync(file, 'utf8'), /^\s*(import|export)\b.*\bfrom\s+'/m, file)
    }
  })
})
