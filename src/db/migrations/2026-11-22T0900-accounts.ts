import type { PortableMigration } from '../portable.js'
import { binaryType, withIntegerId } from '../portable.js'

export const accounts: PortableMigration = {
  async up(db, dialect) {
    await withIntegerId(db.schema.createTable('users'), dialect)
      .addColumn('username', 'text')
      .addColumn('username_key', 'text', (c) => c.unique())
      .addColumn('email', 'text')
      .addColumn('email_key', 'text', (c) => c.unique())
      .addColumn('phone_sealed', binaryType(dialect))
      .addColumn('address_sealed', binaryType(dialect))
      .addColumn('role', 'text', (c) => c.notNull().defaultTo('user'))
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute()

    await db.schema
      .createTable('revoked_tokens')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('revoked_tokens_expires_at_idx')
      .on('revoked_tokens')
      .column('expires_at')
      .execute()

    await db.schema
      .createTable('throttle_counters')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('window_ends_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('throttle_counters_window_ends_at_idx')
      .on('throttle_counters')
      .column('window_ends_at')
      .execute()
  },
}
