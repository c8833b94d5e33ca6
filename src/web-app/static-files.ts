import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The web app's built files (`npm run build` puts them in dist/web), read once into memory: the
 * whole app is a few dozen kilobytes, and serving from memory means no request can name a path
 * on disk. This file sits two levels below the package root both as src/web-app/*.ts and as
 * dist/web-app/*.js, so one relative path finds the build from either.
 */
export const WEB_BUILD_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url))

export interface StaticFile {
  body: Buffer
  type: string
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
}

/** Every servable file by its name under the build directory (`assets/reveal-AB12.js`). */
export function loadStaticFiles(dir: string = WEB_BUILD_DIR): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>()
  if (!existsSync(dir)) return files
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const type = TYPES[path.extname(entry.name)]
    if (type === undefined) continue
    const full = path.join(entry.parentPath, entry.name)
    files.set(path.relative(dir, full).split(path.sep).join('/'), {
      body: readFileSync(full),
      type,
    })
  }
  return files
}
