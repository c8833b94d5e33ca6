#!/usr/bin/env node
// The web app's size budgets (docs/web-app.md "Budgets"): the gzipped JavaScript and CSS a page
// loads, per page, and of the whole app. Reads the build's metafile (dist/web-build.json, written
// by web/build.mjs), so it counts exactly the files each page's HTML and imports pull in.
// Exits non-zero when a budget is exceeded. Run after `npm run build`.
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'

const dist = path.join(import.meta.dirname, '..', 'dist')
const meta = JSON.parse(readFileSync(path.join(dist, 'web-build.json'), 'utf8'))
const BUDGETS = { reveal: 50 * 1024, app: 200 * 1024 }

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length
const rel = (file) => path.relative(process.cwd(), file)

/** The files one entry loads: its script, every chunk it imports (transitively), its CSS. */
function filesOf(output, seen = new Set()) {
  if (seen.has(output)) return seen
  seen.add(output)
  const info = meta.outputs[output]
  for (const imported of info.imports ?? []) {
    if (imported.kind === 'import-statement') filesOf(imported.path, seen)
  }
  if (info.cssBundle !== undefined) seen.add(info.cssBundle)
  return seen
}

const rows = []
for (const [output, info] of Object.entries(meta.outputs)) {
  const match = /pages\/(\w+)\.tsx$/.exec(info.entryPoint ?? '')
  if (match === null) continue
  const files = [...filesOf(output)]
  rows.push({ page: match[1], bytes: files.reduce((sum, file) => sum + gz(path.resolve(file)), 0) })
}

const assets = path.join(dist, 'web', 'assets')
const everything = readdirSync(assets)
  .filter((name) => /\.(js|css)$/.test(name))
  .reduce((sum, name) => sum + gz(path.join(assets, name)), 0)

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`
console.log('Web app, gzipped JavaScript + CSS (level 9):')
for (const row of rows) console.log(`  ${row.page.padEnd(8)} page  ${kb(row.bytes)}`)
console.log(`  whole app    ${kb(everything)}  (every .js and .css in ${rel(assets)})`)

const reveal = rows.find((row) => row.page === 'reveal')?.bytes ?? Infinity
const failures = [
  ...(reveal > BUDGETS.reveal ? [`reveal page ${kb(reveal)} > ${kb(BUDGETS.reveal)}`] : []),
  ...(everything > BUDGETS.app ? [`whole app ${kb(everything)} > ${kb(BUDGETS.app)}`] : []),
]
console.log(
  failures.length === 0
    ? 'Budgets met: reveal ≤ 50 KB, app ≤ 200 KB.'
    : `Over budget: ${failures.join('; ')}`,
)
process.exit(failures.length === 0 ? 0 : 1)
