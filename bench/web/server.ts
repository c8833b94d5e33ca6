import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'

import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { Services } from '../../src/services.js'
import { createServices } from '../../src/services.js'
import { openStore } from '../../src/db/connect.js'
import { systemClock } from '../../src/clock.js'
import { CHROMIUM, CHROMIUM_FLAGS } from '../../test/browser/harness.js'

/** The production app on a throwaway SQLite store at 127.0.0.1, plus a browser. */
export async function startBench(): Promise<{
  url: string
  browser: Browser
  withServices: <T>(work: (services: Services) => Promise<T>) => Promise<T>
  stop: () => Promise<void>
}> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'strongroom-web-bench-'))
  const env = {
    DATA_DIR: dataDir,
    APP_SECRET: 'bench-app-secret-not-for-production',
    LOG_LEVEL: 'warn',
  }
  const { config } = loadConfig(env)
  const app = await buildApp(config)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
  return {
    url: `http://127.0.0.1:${address.port}`,
    browser,
    withServices: async (work) => {
      const store = openStore(config.database)
      const services = createServices(config, store, systemClock)
      try {
        return await work(services)
      } finally {
        await services.close()
        await store.close()
      }
    },
    stop: async () => {
      await browser.close()
      await app.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
