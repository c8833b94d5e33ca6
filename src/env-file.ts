import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parseEnv } from 'node:util'

/**
 * The environment as Strongroom sees it: `.env` in the working directory, overridden by the real
 * environment (so `PORT=8080 npm start` beats a `.env` that says otherwise).
 */
export function readEnvironment(
  processEnv: NodeJS.ProcessEnv,
  cwd: string,
): Record<string, string | undefined> {
  const file = path.join(cwd, '.env')
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {}
  return { ...fromFile, ...processEnv }
}
