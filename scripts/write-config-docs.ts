// `npm run docs:config`: rewrites the README's configuration table from src/config-variables.ts,
// then lets Prettier pad its columns. test/config-readme.test.ts fails while the two differ.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'

import { configTableMarkdown } from '../src/config-docs.js'

const README = 'README.md'
const lines = readFileSync(README, 'utf8').split('\n')
const section = lines.indexOf('## Configuration')
const first = lines.findIndex((line, i) => i > section && line.startsWith('| Variable'))
if (section < 0 || first < 0) throw new Error('README.md has no configuration table to replace')
let end = first
while (lines[end]?.startsWith('|') === true) end += 1
lines.splice(first, end - first, ...configTableMarkdown().split('\n'))
writeFileSync(README, lines.join('\n'))
execFileSync('npx', ['prettier', '--write', README], { stdio: 'ignore' })
process.stdout.write(`${README}: configuration table rewritten\n`)
