#!/usr/bin/env node
// Builds the web app (web/src) into dist/web: one bundle per page, minified, with content hashes
// in the file names, and the HTML pages that load them. No inline script or style anywhere, so the
// pages run under `script-src 'self'; style-src 'self'` (docs/web-app.md).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { build } from 'esbuild'

const root = path.dirname(fileURLToPath(import.meta.url))
const out = path.join(root, '..', 'dist', 'web')
const PAGES = {
  index: { title: 'Share a secret once · Strongroom' },
  reveal: { title: 'A secret for you · Strongroom' },
  vault: { title: 'Vault · Strongroom' },
}

rmSync(out, { recursive: true, force: true })
mkdirSync(path.join(out, 'assets'), { recursive: true })

const result = await build({
  entryPoints: Object.fromEntries(
    Object.keys(PAGES).map((name) => [name, path.join(root, 'src', 'pages', `${name}.tsx`)]),
  ),
  bundle: true,
  minify: true,
  format: 'esm',
  splitting: true,
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: path.join(out, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
})

// Which files each page's entry produced: its script and, when it imports CSS, its stylesheet.
const outputs = Object.entries(result.metafile.outputs)
for (const [name, { title }] of Object.entries(PAGES)) {
  const [script, meta] = outputs.find(
    ([, output]) => output.entryPoint?.endsWith(`pages/${name}.tsx`) === true,
  )
  const asset = (file) => `/app/assets/${path.basename(file)}`
  const css =
    meta.cssBundle === undefined ? '' : `<link rel="stylesheet" href="${asset(meta.cssBundle)}">`
  // The chunks the entry imports are fetched in parallel with it, not after it has been parsed.
  const preloads = (meta.imports ?? [])
    .filter((imported) => imported.kind === 'import-statement')
    .map((imported) => `<link rel="modulepreload" href="${asset(imported.path)}">`)
    .join('\n')
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="icon" href="/app/assets/icon.svg" type="image/svg+xml">
${css}
${preloads}
<script type="module" src="${asset(script)}"></script>
</head>
<body>
<div id="root"><noscript>This page needs JavaScript: the secret is encrypted and decrypted in your browser.</noscript></div>
</body>
</html>
`
  writeFileSync(path.join(out, `${name}.html`), html)
}
writeFileSync(
  path.join(out, 'assets', 'icon.svg'),
  readFileSync(path.join(root, 'src', 'icon.svg')),
)
// The build report (scripts/web-build-report.mjs) reads which files each page loads from this.
writeFileSync(path.join(out, '..', 'web-build.json'), JSON.stringify(result.metafile))
