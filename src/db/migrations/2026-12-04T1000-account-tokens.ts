import type { PortableMigration } from '../portable.js'
import { binaryType } from '../portable.js'

/**
 * One-use account tokens (activation, password reset) and the client IV that surface 2's later
 * API stores beside a secret's value.
 *
 * Tokens are kept only as a keyed digest (`token_hash`), so neither the database nor its backups
 * can be used to reset a password; they go with their user (ON DELETE CASCADE).
 *
 * `iv_sealed` is NULL for every secret written without an IV, which is every secret written
 * before this migration: their answers do not change.
 */
export const accountTokens: PortableMigration = {
  async up(db, dialect) {
    await db.schema
      .createTable('account_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('account_tokens_user_id_idx')
      .on('account_tokens')
      .column('user_id')
      .execute()

    await db.schema
      .alterTable('vault_secrets')
      .addColumn('iv_sealed', binaryType(dialect))
      .execute()
  },
}
