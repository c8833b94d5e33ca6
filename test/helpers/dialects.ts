import { randomBytes } from 'node:crypto'

import pg from 'pg'

export type TestDialect = 'sqlite' | 'postgres'

/** SQLite always; PostgreSQL too when TEST_DATABASE_URL names a server (CI sets it). */
export const DIALECTS: readonly TestDialect[] = process.env.TEST_DATABASE_URL
  ? ['sqlite', 'postgres']
  : ['sqlite']

export const POSTGRES_URL = process.env.TEST_DATABASE_URL

/**
 * A fresh PostgreSQL schema for one test, so tests (and parallel test files) never see each
 * other's rows. The URL selects it through `search_path`; `drop` removes it and everything in it.
 */
export async function createPostgresSchema(): Promise<{
  url: string
  schema: string
  drop: () => Promise<void>
}> {
  if (POSTGRES_URL === undefined) throw new Error('TEST_DATABASE_URL is not set')
  const schema = `sr_test_${randomBytes(6).toString('hex')}`
  await withClient((client) => client.query(`create schema ${schema}`))
  const url = new URL(POSTGRES_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return {
    url: url.toString(),
    schema,
    drop: () => dropSchema(schema),
  }
}

/**
 * Drops a test's schema. Apps on it are closed first (TestEnvironment.defer), but a server
 * process a test killed may leave a backend whose locks PostgreSQL has not released yet; when
 * PostgreSQL breaks such a lock cycle with a deadlock (40P01), the drop simply runs again.
 */
async function dropSchema(schema: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withClient((client) => client.query(`drop schema if exists ${schema} cascade`))
      return
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
    }
  }
}

/** Runs one statement batch against the test server with a short-lived client. */
export async function withClient<T>(
  work: (client: pg.Client) => Promise<T>,
  url = POSTGRES_URL,
): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}
