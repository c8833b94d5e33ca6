import { createHash } from 'node:crypto'

import type pg from 'pg'

import { PREPARED_MARK } from './prepared.js'

/** The name of a prepared query's server-side statement: derived from its text alone. */
const statementName = (text: string): string =>
  `sr_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`

/**
 * A `pg` client that runs prepared queries (prepared.ts) as named, server-side prepared
 * statements: PostgreSQL parses and plans each once per connection instead of on every call,
 * which on the hot read path was a large part of the server's own time. Every other query runs
 * as before. A statement's name is a hash of its text, so one name always means one text.
 */
export function preparingClient(driver: typeof pg): typeof pg.Client {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the client as `this`
  const query = driver.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown
  class PreparingClient extends driver.Client {}
  Object.defineProperty(PreparingClient.prototype, 'query', {
    value(this: pg.Client, text: unknown, ...rest: unknown[]): unknown {
      if (typeof text === 'string' && text.startsWith(PREPARED_MARK) && Array.isArray(rest[0])) {
        return query.call(
          this,
          { name: statementName(text), text, values: rest[0] },
          ...rest.slice(1),
        )
      }
      return query.call(this, text, ...rest)
    },
  })
  return PreparingClient
}
