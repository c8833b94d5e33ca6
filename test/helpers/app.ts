import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'

import SqliteDatabase from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'

import { buildApp } from '../../src/app.js'
import type { AppOverrides } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { Config } from '../../src/config.js'
import { openStore } from '../../src/db/connect.js'
import type { Store } from '../../src/db/connect.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { createServices } from '../../src/services.js'
import type { Services } from '../../src/services.js'
import { systemClock } from '../../src/clock.js'
import type { Clock } from '../../src/clock.js'
import { createPostgresSchema, withClient } from './dialects.js'
import type { TestDialect } from './dialects.js'

export const TEST_APP_SECRET = 'test-app-secret-not-for-production'

/** Per-client limits on anonymous routes, set out of every test's way unless it sets them. */
export const UNLIMITED_ANONYMOUS: Readonly<Record<string, string>> = {
  ANONYMOUS_HASH_RATE_LIMITS: '1000000/second',
  ONE_TIME_CREATE_RATE_LIMITS: '1000000/second',
  ONE_TIME_MAX_LIVE_BYTES_PER_CLIENT: String(1024 * 1024 * 1024),
}

export interface TestEnvironment {
  config: Config
  dataDir: string
  dialect: TestDialect
  /** Env vars that select this environment, for spawning a real server or the CLI on it. */
  env: Record<string, string>
  /**
   * Runs `cleanup` when the test ends, before the store itself is removed; cleanups run last
   * registered first. An app closed after its PostgreSQL schema was dropped would seal into
   * nothing, so whatever uses the store is closed through here, not through `t.after`.
   */
  defer(cleanup: () => unknown): void
}

/**
 * A private store for one test: a temporary DATA_DIR (SQLite) or a fresh PostgreSQL schema,
 * migrated the way production migrates it. Removed when the test ends.
 */
export async function createTestEnvironment(
  t: TestContext,
  options: {
    dialect?: TestDialect
    env?: Record<string, string>
    /** False: leave the store as no migration has touched it (an older release's upgrade). */
    migrate?: boolean
  } = {},
): Promise<TestEnvironment> {
  const dialect = options.dialect ?? 'sqlite'
  // One hook for the whole environment: what uses the store first, newest first, then the store.
  const cleanups: (() => unknown)[] = []
  const defer = (cleanup: () => unknown): void => {
    cleanups.push(cleanup)
  }
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  })
  const dataDir = mkdtempSync(path.join(tmpdir(), 'strongroom-test-'))
  defer(() => {
    rmSync(dataDir, { recursive: true, force: true })
  })

  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    APP_SECRET: TEST_APP_SECRET,
    LOG_LEVEL: 'silent',
    // Tests register users and create secrets by the dozen from one address; the tests of these
    // per-client limits (test/surfaces/anonymous-limits.test.ts) set their own.
    ...UNLIMITED_ANONYMOUS,
    ...options.env,
  }
  if (dialect === 'postgres') {
    const schema = await createPostgresSchema()
    defer(() => schema.drop())
    env.DATABASE_URL = schema.url
  }
  const { config } = loadConfig(env)
  if (dialect === 'postgres' && options.migrate !== false) {
    // What `strongroom migrate` does before PostgreSQL nodes start.
    const store = openStore(config.database)
    try {
      await migrateToLatest(store)
    } finally {
      await store.close()
    }
  }
  return { config, dataDir, dialect, env, defer }
}

export interface TestApp extends TestEnvironment {
  app: FastifyInstance
}

/** The production app on a private store, closed when the test ends. */
export async function buildTestApp(
  t: TestContext,
  options: { dialect?: TestDialect; env?: Record<string, string>; overrides?: AppOverrides } = {},
): Promise<TestApp> {
  const environment = await createTestEnvironment(t, options)
  const app = await buildApp(environment.config, options.overrides)
  environment.defer(() => app.close())
  await app.ready()
  return { ...environment, app }
}

/** The domain services on a test environment's store (what the CLI uses), closed when the test ends. */
export function openServices(
  environment: TestEnvironment,
  clock: Clock = systemClock,
): { services: Services; store: Store } {
  const store = openStore(environment.config.database)
  const services = createServices(environment.config, store, clock)
  environment.defer(async () => {
    await services.close()
    await store.close()
  })
  return { services, store }
}

/**
 * Deletes a user row behind the application's back (Strongroom has no route that deletes users):
 * what the tests of "a token of a user who no longer exists" need. True when a row was removed.
 */
export async function deleteUserRow(store: Store, id: number): Promise<boolean> {
  const result = await store.db.deleteFrom('users').where('id', '=', id).executeTakeFirst()
  return result.numDeletedRows > 0n
}

/** Runs SQL against an environment's database directly, behind the application's back, as an intruder would. */
export async function runBehindTheBack(
  environment: TestEnvironment,
  ...statements: string[]
): Promise<void> {
  const { database } = environment.config
  if (database.kind === 'sqlite') {
    const db = new SqliteDatabase(database.file)
    try {
      for (const statement of statements) db.exec(statement)
    } finally {
      db.close()
    }
  } else {
    await withClient(async (client) => {
      for (const statement of statements) await client.query(statement)
    }, database.url)
  }
}
