import Sqlite from 'better-sqlite3'
import pg from 'pg'

export interface Lag {
  events: number
  p50: number
  p99: number
  max: number
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0)

function summarise(rows: readonly { occurred_at: string; sealed_at: string | null }[]): Lag {
  const lags = rows
    .filter((row) => row.sealed_at !== null)
    .map((row) => Date.parse(row.sealed_at ?? '') - Date.parse(row.occurred_at))
    .sort((a, b) => a - b)
  return {
    events: lags.length,
    p50: percentile(lags, 0.5),
    p99: percentile(lags, 0.99),
    max: lags.at(-1) ?? 0,
  }
}

/**
 * From an event's commit (its `occurred_at` is taken just before, so this errs long) to the
 * sequencer sealing it, over every event of a run.
 */
export function sqliteSealingLag(file: string): Lag {
  const db = new Sqlite(file, { readonly: true })
  try {
    return summarise(
      db.prepare('select occurred_at, sealed_at from audit_events').all() as {
        occurred_at: string
        sealed_at: string | null
      }[],
    )
  } finally {
    db.close()
  }
}

export async function postgresSealingLag(url: string): Promise<Lag> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const result = await client.query<{ occurred_at: string; sealed_at: string | null }>(
      'select occurred_at, sealed_at from audit_events',
    )
    return summarise(result.rows)
  } finally {
    await client.end()
  }
}

/** Transactions committed in the database so far (pg_stat_database), for commits per request. */
export async function postgresCommits(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const result = await client.query<{ n: string }>(
      'select xact_commit as n from pg_stat_database where datname = current_database()',
    )
    return Number(result.rows[0]?.n ?? 0)
  } finally {
    await client.end()
  }
}
