import { sql } from 'kysely'

import type { PortableMigration } from '../portable.js'
import { binaryType, withIntegerId } from '../portable.js'

const PERMISSION_CHECK = sql`permission in ('read-only', 'read-write')`

/**
 * The team vault (surface 2): secrets, groups, memberships and grants. Deleting a user, a secret
 * or a group takes every grant and membership that hangs off it with it, in the database, so no
 * code path can leave a grant pointing at nothing. Every foreign key has an index: composite
 * primary keys cover their leading column, the other column gets its own.
 */
export const vault: PortableMigration = {
  async up(db, dialect) {
    await withIntegerId(db.schema.createTable('vault_secrets'), dialect)
      .addColumn('owner_id', 'integer', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('name_sealed', binaryType(dialect), (c) => c.notNull())
      .addColumn('data_sealed', binaryType(dialect), (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('vault_secrets_owner_id_idx')
      .on('vault_secrets')
      .column('owner_id')
      .execute()

    await withIntegerId(db.schema.createTable('vault_groups'), dialect)
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull().unique())
      .addColumn('creator_id', 'integer', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('vault_groups_creator_id_idx')
      .on('vault_groups')
      .column('creator_id')
      .execute()

    await db.schema
      .createTable('vault_group_members')
      .addColumn('group_id', 'integer', (c) =>
        c.notNull().references('vault_groups.id').onDelete('cascade'),
      )
      .addColumn('user_id', 'integer', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('added_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('vault_group_members_pk', ['group_id', 'user_id'])
      .execute()
    await db.schema
      .createIndex('vault_group_members_user_id_idx')
      .on('vault_group_members')
      .column('user_id')
      .execute()

    await db.schema
      .createTable('vault_user_grants')
      .addColumn('secret_id', 'integer', (c) =>
        c.notNull().references('vault_secrets.id').onDelete('cascade'),
      )
      .addColumn('user_id', 'integer', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('permission', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('vault_user_grants_pk', ['secret_id', 'user_id'])
      .addCheckConstraint('vault_user_grants_permission_check', PERMISSION_CHECK)
      .execute()
    await db.schema
      .createIndex('vault_user_grants_user_id_idx')
      .on('vault_user_grants')
      .column('user_id')
      .execute()

    await db.schema
      .createTable('vault_group_grants')
      .addColumn('secret_id', 'integer', (c) =>
        c.notNull().references('vault_secrets.id').onDelete('cascade'),
      )
      .addColumn('group_id', 'integer', (c) =>
        c.notNull().references('vault_groups.id').onDelete('cascade'),
      )
      .addColumn('permission', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('vault_group_grants_pk', ['secret_id', 'group_id'])
      .addCheckConstraint('vault_group_grants_permission_check', PERMISSION_CHECK)
      .execute()
    await db.schema
      .createIndex('vault_group_grants_group_id_idx')
      .on('vault_group_grants')
      .column('group_id')
      .execute()
  },
}
