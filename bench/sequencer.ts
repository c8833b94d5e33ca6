/**
 * What sealing costs (part of `npm run bench`): 20 000 committed, unsealed events are sealed by
 * one sequencer as fast as it can, on each store. Events per second of sealing is the ceiling of
 * audited requests a whole cluster can sustain on one store (docs/scaling.md).
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { systemClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { openStore } from '../src/db/connect.js'
import { prepareStore } from '../src/db/prepare.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { createServices } from '../src/services.js'
import { postgresSchema } from './lib/fixture.js'

const EVENTS = Number(process.env.SEAL_EVENTS ?? 20_000)

async function sealRate(env: Record<string, string>): Promise<number> {
  const { config } = loadConfig(env)
  const store = openStore(config.database)
  try {
    await migrateToLatest(store)
    await prepareStore(store)
    const services = createServices(config, store, systemClock)
    try {
      for (let i = 0; i < EVENTS; i += 500) {
        await store.db
          .insertInto('audit_events')
          .values(
            Array.from({ length: 500 }, () => ({
              event_id: randomUUID(),
              occurred_at: new Date().toISOString(),
              type: 'personal-secret.read',
              actor_id: 1,
              target_type: 'user',
              target_id: '1',
              outcome: 'success',
              client_ip: '127.0.0.1',
              user_agent: 'bench',
              details: '{}',
            })),
          )
          .execute()
      }
      const started = performance.now()
      await services.audit.sequencer.flush()
      return EVENTS / ((performance.now() - started) / 1000)
    } finally {
      await services.close()
    }
  } finally {
    await store.close()
  }
}

export async function benchSequencer(options: {
  pgUrl: string | undefined
  appSecret: string
}): Promise<{ sqlite: number; postgres?: number }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'strongroom-seal-'))
  try {
    const sqlite = await sealRate({ DATA_DIR: dataDir, APP_SECRET: options.appSecret })
    if (options.pgUrl === undefined) return { sqlite }
    const schema = await postgresSchema(options.pgUrl)
    try {
      const postgres = await sealRate({
        DATA_DIR: dataDir,
        APP_SECRET: options.appSecret,
        DATABASE_URL: schema.url,
      })
      return { sqlite, postgres }
    } finally {
      await schema.drop()
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
