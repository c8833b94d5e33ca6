import { sql } from 'kysely'

import type { PortableMigration } from '../portable.js'

/**
 * Live-byte quotas on one-time secrets: each row records its size and whose quota it counts
 * against, and `one_time_usage` holds the running totals. Secrets already stored count against
 * the store-wide total only (who created them was never recorded), spread over the eight shares
 * by id.
 */
export const oneTimeQuota: PortableMigration = {
  async up(db, dialect) {
    await db.schema
      .alterTable('one_time_secrets')
      .addColumn('size_bytes', 'integer', (c) => c.notNull().defaultTo(0))
      .execute()
    await db.schema.alterTable('one_time_secrets').addColumn('client_hash', 'text').execute()
    await db.schema.alterTable('one_time_secrets').addColumn('quota_share', 'integer').execute()
    await db.schema
      .createTable('one_time_usage')
      .addColumn('scope', 'text', (c) => c.primaryKey())
      .addColumn('live_bytes', 'integer', (c) => c.notNull())
      .execute()

    const length = dialect === 'postgres' ? sql`octet_length(sealed)` : sql`length(sealed)`
    await db
      .updateTable('one_time_secrets')
      .set({ size_bytes: length, quota_share: sql`id % 8` })
      .execute()
    // Every share has its row from the start: a share is only ever updated in place, which
    // on PostgreSQL locks the one share that took the bytes, never one that was full.
    for (let share = 0; share < 8; share++) {
      await sql`
        insert into one_time_usage (scope, live_bytes)
        select ${`store:${share}`}, coalesce(sum(size_bytes), 0)
        from one_time_secrets where quota_share = ${share}`.execute(db)
    }
    // How long until a client's (or anyone's) oldest live secret frees its bytes, in one look.
    await db.schema
      .createIndex('one_time_secrets_client_hash_idx')
      .on('one_time_secrets')
      .columns(['client_hash', 'expires_at'])
      .execute()
  },
}
