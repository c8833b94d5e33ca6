import type { PortableMigration } from '../portable.js'
import { binaryType } from '../portable.js'

/**
 * Secret versions (surface 2, beside the documented API): the current value keeps living in
 * `vault_secrets`, now numbered by `version`; every update moves the value it replaces into
 * `vault_secret_versions`, re-sealed with AAD `vault-secret:<id>:v<version>:<field>`. Deleting
 * a secret deletes its versions (ON DELETE CASCADE). Secrets stored before this migration are
 * version 1 with no history.
 */
export const secretVersions: PortableMigration = {
  async up(db, dialect) {
    await db.schema
      .alterTable('vault_secrets')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute()
    await db.schema
      .createTable('vault_secret_versions')
      .addColumn('secret_id', 'integer', (c) =>
        c.notNull().references('vault_secrets.id').onDelete('cascade'),
      )
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('name_sealed', binaryType(dialect), (c) => c.notNull())
      .addColumn('data_sealed', binaryType(dialect), (c) => c.notNull())
      .addColumn('iv_sealed', binaryType(dialect))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('vault_secret_versions_pk', ['secret_id', 'version'])
      .execute()
  },
}
