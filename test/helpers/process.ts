import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

/**
 * The built CLI, run as `npm start` and the Dockerfile run it: `node dist/cli.js` starts in about
 * a third of the time the same process takes through tsx, and these tests spawn it often.
 * scripts/run-tests.mjs builds dist/ before any test file that imports this helper runs.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const CLI = path.join(ROOT, 'dist/cli.js')
const BUILD_INFO = path.join(ROOT, 'dist/.tsbuildinfo')

let checkedBuild = false
/** Refuses to test a missing or stale build: a test of old code that passes proves nothing. */
function builtCli(): string[] {
  if (!checkedBuild) {
    if (!existsSync(CLI) || !existsSync(BUILD_INFO)) {
      throw new Error('dist/ is not built: run `npm run build` (npm test does it first)')
    }
    const builtAt = statSync(BUILD_INFO).mtimeMs
    const newer = sourceFiles(path.join(ROOT, 'src')).find(
      (file) => statSync(file).mtimeMs > builtAt,
    )
    if (newer !== undefined) {
      throw new Error(
        `dist/ is older than ${path.relative(ROOT, newer)}: run the tests with \`npm test\`, which builds it`,
      )
    }
    checkedBuild = true
  }
  return [CLI]
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  )

/**
 * The environment of a spawned process: exactly what the test gives it, plus PATH, plus the
 * coverage directory when the suite runs under c8, so the processes' code counts too.
 */
function childEnv(env: Record<string, string>): Record<string, string> {
  const coverage = process.env.NODE_V8_COVERAGE
  return {
    PATH: process.env.PATH ?? '',
    ...(coverage === undefined ? {} : { NODE_V8_COVERAGE: coverage }),
    ...env,
  }
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `strongroom <args>` to completion with exactly `env` (plus PATH), `input` on stdin. */
export function runCli(
  args: readonly string[],
  env: Record<string, string>,
  input = '',
): CliResult {
  const result = spawnSync(process.execPath, [...builtCli(), ...args], {
    cwd: ROOT,
    input,
    env: childEnv(env),
    encoding: 'utf8',
    // Generous: on a machine busy with other suites a CLI run has taken minutes; the test's own
    // timeout still bounds it, and a kill here would only read as a baffling null exit code.
    timeout: 300_000,
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Like `runCli`, without blocking the event loop, so several can run at once. */
export function runCliAsync(
  args: readonly string[],
  env: Record<string, string>,
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...builtCli(), ...args], {
      cwd: ROOT,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.once('exit', (code) => {
      resolve({ code, stdout, stderr })
    })
  })
}

export interface RunningServer {
  url: string
  pid: number
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>
  /** SIGKILL, no goodbye: what a crash looks like. */
  kill(): Promise<void>
}

/** A TCP port nothing listens on right now (the OS picks it; the window for a race is tiny). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port)
        else reject(new Error('no port'))
      })
    })
  })
}

/**
 * Starts `strongroom serve` on a free loopback port and resolves once `/healthz` answers, whatever
 * the log level. The process is killed when the test ends if the test did not stop it.
 */
export async function startServer(
  t: TestContext,
  env: Record<string, string>,
): Promise<RunningServer> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, [...builtCli(), 'serve'], {
    cwd: ROOT,
    // As `npm start` runs it (see package.json: glibc must give argon2's buffers back).
    env: childEnv({
      HOST: '127.0.0.1',
      MALLOC_MMAP_THRESHOLD_: '131072',
      ...env,
      PORT: String(port),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  let exitCode: number | null | undefined
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code
      resolve(code)
    }),
  )
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    // A failed assertion about a server is read next to what the server said about it.
    // (`passed` is Node ≥ 20.12, which package.json requires; @types/node 20 does not list it.)
    if ((t as TestContext & { passed?: boolean }).passed === false)
      console.error(`--- output of the server on ${url} ---\n${output}--- end ---`)
  })

  // No deadline of its own: on a busy machine a start can take longer than any fixed guess (30 s
  // was seen to fail), and the test's timeout already bounds the wait.
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`server exited with ${String(exitCode)} before listening:\n${output}`)
    }
    if (t.signal.aborted) throw new Error(`server did not start before the test ended:\n${output}`)
    try {
      if ((await fetch(`${url}/healthz`)).ok) break
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }

  return {
    url,
    pid: child.pid ?? 0,
    output: () => output,
    stop: () => {
      child.kill('SIGTERM')
      return exited
    },
    kill: async () => {
      child.kill('SIGKILL')
      await exited
    },
  }
}

/** JSON over real HTTP. */
export async function call(
  server: RunningServer,
  method: string,
  pathAndQuery: string,
  options: { body?: unknown; token?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {}
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  const response = await fetch(`${server.url}${pathAndQuery}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) }
}
