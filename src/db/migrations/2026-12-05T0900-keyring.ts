import type { PortableMigration } from '../portable.js'
import { binaryType } from '../portable.js'

/**
 * The keyring (src/db/tables/keyring.ts). Only the tables: the rows need the root key, which a
 * migration never sees, so the first start with keys fills them in (src/domain/keys/keyring.ts).
 * A store that existed before this migration gets the key it always used as data-key version 1.
 */
export const keyringMigration: PortableMigration = {
  async up(db, dialect) {
    await db.schema
      .createTable('keyring_root')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('check_value', 'text', (c) => c.notNull())
      .addColumn('base_wrapped', binaryType(dialect), (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('data_keys')
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('key_id', binaryType(dialect), (c) => c.notNull().unique())
      // Null once the version is retired: its key is destroyed, not merely unused.
      .addColumn('wrapped', binaryType(dialect))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('retired_at', 'text')
      .execute()
  },
}
