import type { Kysely } from 'kysely'

import type { Database } from '../db/schema.js'
import type { CounterStore } from './counter-store.js'

/** Counters in the `throttle_counters` table: shared by every node on the same database. */
export function createSqlCounterStore(db: Kysely<Database>): CounterStore {
  /** The open window of `key`, if any. */
  const current = async (key: string, nowIso: string) =>
    db
      .selectFrom('throttle_counters')
      .select(['count', 'window_ends_at'])
      .where('key', '=', key)
      .where('window_ends_at', '>', nowIso)
      .executeTakeFirst()

  /**
   * One upsert that either opens a new window at 1 or adds one to the open window; `belowMax`
   * lets `reserve` refuse the update (no row comes back) when the window is already full. The
   * conflicting row is locked while the condition is judged (PostgreSQL) or the write is
   * serialised (SQLite), so concurrent callers on several nodes each see the count of the others.
   */
  const upsert = (key: string, windowMs: number, now: Date, belowMax?: number) => {
    const nowIso = now.toISOString()
    const newEnd = new Date(now.getTime() + windowMs).toISOString()
    return db
      .insertInto('throttle_counters')
      .values({ key, count: 1, window_ends_at: newEnd })
      .onConflict((oc) => {
        const update = oc.column('key').doUpdateSet((eb) => ({
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
        }))
        return belowMax === undefined
          ? update
          : update.where((eb) =>
              eb.or([
                eb('throttle_counters.window_ends_at', '<=', nowIso),
                eb('throttle_counters.count', '<', belowMax),
              ]),
            )
      })
      .returning(['count', 'window_ends_at'])
      .executeTakeFirst()
  }

  return {
    async increment(key, windowMs, now) {
      const row = await upsert(key, windowMs, now)
      if (row === undefined) throw new Error('the counter upsert returned no row')
      return { count: row.count, windowEndsAt: new Date(row.window_ends_at) }
    },

    async reserve(key, max, windowMs, now) {
      for (;;) {
        const row = await upsert(key, windowMs, now, max)
        if (row !== undefined) {
          return { reserved: true, count: row.count, windowEndsAt: new Date(row.window_ends_at) }
        }
        // Refused: the window is full. Read it for the Retry-After; if it was reset or closed
        // in between, the next upsert judges the new state.
        const full = await current(key, now.toISOString())
        if (full !== undefined) {
          return { reserved: false, count: full.count, windowEndsAt: new Date(full.window_ends_at) }
        }
      }
    },

    async release(key, windowEndsAt) {
      await db
        .updateTable('throttle_counters')
        .set((eb) => ({ count: eb('count', '-', 1) }))
        .where('key', '=', key)
        .where('window_ends_at', '=', windowEndsAt.toISOString())
        .where('count', '>', 0)
        .execute()
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
