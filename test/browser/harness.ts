import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'

import type { FastifyInstance } from 'fastify'
import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type axeCore from 'axe-core'

import { buildApp } from '../../src/app.js'
import type { AppOverrides } from '../../src/app.js'
import { createTestEnvironment } from '../helpers/app.js'
import type { TestEnvironment } from '../helpers/app.js'
import type { TestDialect } from '../helpers/dialects.js'

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH names another build. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Flags for a quiet, self-contained headless Chromium that talks to nothing but our server. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface RunningServer extends TestEnvironment {
  app: FastifyInstance
  url: string
  /** Every line the server logged, at trace level. */
  logFile: string
  stop(): Promise<void>
}

/**
 * The production app listening on 127.0.0.1 (a random port), logging everything at trace level
 * to a file the test can search. Closed when the test ends.
 */
export async function startServer(
  t: TestContext,
  options: { dialect?: TestDialect; overrides?: AppOverrides } = {},
): Promise<RunningServer> {
  const environment = await createTestEnvironment(t, {
    ...(options.dialect === undefined ? {} : { dialect: options.dialect }),
    env: { LOG_LEVEL: 'trace' },
  })
  const logFile = path.join(environment.dataDir, 'server.log')
  const logStream = createWriteStream(logFile)
  const app = await buildApp(environment.config, { ...options.overrides, logStream })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await app.close()
    logStream.end()
    await once(logStream, 'close')
  }
  t.after(stop)
  return { ...environment, app, url: `http://127.0.0.1:${address.port}`, logFile, stop }
}

/** Debian's Chromium through playwright-core, in a fresh profile; closed when the test ends. */
export async function launchBrowser(t: TestContext): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`)
  // Playwright starts every browser in a new temporary profile (its own --user-data-dir).
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
  t.after(() => browser.close())
  return browser
}

export interface Problems {
  /** Console errors and warnings (CSP violations are reported there), and uncaught errors. */
  messages: string[]
}

/** Collects every console error, CSP violation and uncaught exception of a page. */
export function watchProblems(page: Page): Problems {
  const problems: Problems = { messages: [] }
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.messages.push(`${message.type()}: ${message.text()}`)
    }
  })
  page.on('pageerror', (error) => problems.messages.push(`pageerror: ${error.message}`))
  return problems
}

export interface RecordedRequest {
  url: string
  headers: string
  body: string
}

/** Every request a context's pages make: URL, all headers, body. */
export function recordRequests(context: BrowserContext): RecordedRequest[] {
  const requests: RecordedRequest[] = []
  context.on('request', (request) => {
    void request.allHeaders().then((headers) => {
      requests.push({
        url: request.url(),
        headers: JSON.stringify(headers),
        body: request.postData() ?? '',
      })
    })
  })
  return requests
}

/**
 * The problems left once the answers a test provoked on purpose are set aside: Chromium logs
 * every 4xx a page's fetch receives as a console error ("Failed to load resource"), and a test
 * of wrong passphrases or a signed-out session expects exactly those. CSP violations, script
 * errors and any other status still count.
 */
export const unexpected = (problems: Problems, statuses: readonly number[]): string[] =>
  problems.messages.filter(
    (message) =>
      !statuses.some((status) =>
        message.includes(
          `Failed to load resource: the server responded with a status of ${status} `,
        ),
      ),
  )

export const readLog = (server: RunningServer): string => readFileSync(server.logFile, 'utf8')

/** A directory that is removed when the test ends. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'strongroom-browser-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

/** axe-core's browser bundle, from node_modules: nothing is fetched from anywhere. */
const AXE_SOURCE = readFileSync(
  path.join(import.meta.dirname, '..', '..', 'node_modules', 'axe-core', 'axe.min.js'),
  'utf8',
)

/** The WCAG 2.1 A and AA rules (contrast, names, labels, structure) and axe's best practices. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']

/**
 * What axe-core finds wrong with a page as it is now, one line per rule and element. It runs
 * through the DevTools protocol, so the page's CSP (which forbids injected scripts) stays on.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: typeof axeCore }).axe
    const results = await axe.run(document, { runOnly: { type: 'tag', values: tags } })
    return results.violations.map((violation) => ({
      id: violation.id,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }))
  }, AXE_TAGS)
  return violations.map(({ id, help, targets }) => `${id} (${help}): ${targets.join(', ')}`)
}
