import { sql } from 'kysely'

import type { PortableMigration } from '../portable.js'
import { binaryType, withIntegerId } from '../portable.js'

export const oneTime: PortableMigration = {
  async up(db, dialect) {
    await withIntegerId(db.schema.createTable('one_time_secrets'), dialect)
      .addColumn('lookup_hash', 'text', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('sealed', binaryType(dialect), (c) => c.notNull())
      .addColumn('salt', binaryType(dialect), (c) => c.notNull())
      .addColumn('passphrase_check', binaryType(dialect))
      .addColumn('attempts_left', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addCheckConstraint('one_time_secrets_kind_check', sql`kind in ('api', 'generate')`)
      .addCheckConstraint('one_time_secrets_attempts_check', sql`attempts_left >= 0`)
      .execute()
    // The sweeper's range scan; reads go through the unique index on lookup_hash.
    await db.schema
      .createIndex('one_time_secrets_expires_at_idx')
      .on('one_time_secrets')
      .column('expires_at')
      .execute()
  },
}
