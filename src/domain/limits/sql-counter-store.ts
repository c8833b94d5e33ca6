import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { CounterStore } from './counter-store.js'

/** Counters in the `throttle_counters` table: shared by every node on the same database. */
export function createSqlCounterStore(db: Kysely<Database>): CounterStore {
  return {
    async peek(key, now) {
      const row = await db
        .selectFrom('throttle_counters')
        .select(['count', 'window_ends_at'])
        .where('key', '=', key)
        .where('window_ends_at', '>', now.toISOString())
        .executeTakeFirst()
      return row === undefined
        ? undefined
        : { count: row.count, windowEndsAt: new Date(row.window_ends_at) }
    },

    async increment(key, windowMs, now) {
      const nowIso = now.toISOString()
      const newEnd = new Date(now.getTime() + windowMs).toISOString()
      // One upsert: concurrent failures on several nodes each add exactly one.
      const row = await db
        .insertInto('throttle_counters')
        .values({ key, count: 1, window_ends_at: newEnd })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            count: eb
              .case()
              .when('throttle_counters.window_ends_at', '<=', nowIso)
              .then(1)
              .else(eb('throttle_counters.count', '+', 1))
              .end(),
            window_ends_at: eb
              .case()
              .when('throttle_counters.window_ends_at', '<=', nowIso)
              .then(newEnd)
              .else(eb.ref('throttle_counters.window_ends_at'))
              .end(),
          })),
        )
        .returning(['count', 'window_ends_at'])
        .executeTakeFirstOrThrow()
      return { count: row.count, windowEndsAt: new Date(row.window_ends_at) }
    },

    async reset(key) {
      await db.deleteFrom('throttle_counters').where('key', '=', key).execute()
    },
  }
}

/** Removes counters whose window closed: they count nothing any more. */
export async function deleteClosedCounters(db: Kysely<Database>, now: string): Promise<number> {
  const result = await db
    .deleteFrom('throttle_counters')
    .where('window_ends_at', '<=', now)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
