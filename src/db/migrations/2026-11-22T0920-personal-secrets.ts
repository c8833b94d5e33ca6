import type { PortableMigration } from '../portable.js'
import { binaryType } from '../portable.js'

export const personalSecrets: PortableMigration = {
  async up(db, dialect) {
    await db.schema
      .createTable('personal_secrets')
      .addColumn('user_id', 'integer', (c) =>
        c.primaryKey().references('users.id').onDelete('cascade'),
      )
      .addColumn('sealed', binaryType(dialect), (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute()
  },
}
