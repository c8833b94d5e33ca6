// Transpiles src/ and test/ to JavaScript in .test-build/, mirroring the tree, for `npm test`.
//
// Why: every test file runs in a process of its own, and loading the app through tsx's module
// hooks costs about 1.9 s of CPU a process against 0.7 s for the same modules as plain
// JavaScript; over sixty files that was a third of the suite. esbuild strips the types of all
// ~300 files in well under a second (the code uses only erasable TypeScript: verbatimModuleSyntax,
// erasableSyntaxOnly), and `npm run typecheck` remains what checks them.
//
// The build keeps every file at its depth below the root, and links what the code finds by a path
// relative to itself (package.json, README.md, dist/ with the web app's build), so
// `import.meta.url` arithmetic lands where it does from src/.
import { mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import path from 'node:path'

import { build } from 'esbuild'

export const TEST_BUILD_DIR = '.test-build'

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  )

/** Writes .test-build/ afresh; returns the path there of a source file. */
export async function transpileTests() {
  rmSync(TEST_BUILD_DIR, { recursive: true, force: true })
  const entryPoints = [...walk('src'), ...walk('test')].filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.startsWith('test/browser'),
  )
  await build({
    entryPoints,
    outdir: TEST_BUILD_DIR,
    outbase: '.',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    // Stack traces and coverage map back to the .ts files through the maps.
    sourcesContent: false,
    logLevel: 'warning',
  })
  mkdirSync(TEST_BUILD_DIR, { recursive: true })
  for (const linked of ['package.json', 'README.md', 'dist']) {
    symlinkSync(path.resolve(linked), path.join(TEST_BUILD_DIR, linked))
  }
  return (file) => path.join(TEST_BUILD_DIR, file.replace(/\.ts$/, '.js'))
}
