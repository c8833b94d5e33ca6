import { sql } from 'kysely'

import type { PortableMigration } from '../portable.js'
import { withIntegerId } from '../portable.js'

/**
 * The audit log without a global lock (docs/audit.md). Requests insert events unordered (an
 * auto-assigned `id`, no chain head to lock); the sequencer later gives each committed event its
 * position `seq` and RFC 9162 leaf hash, stores the Merkle tree's complete subtrees and signs
 * checkpoints of the tree head.
 *
 * Events of the old hash chain are carried over unsealed, oldest first, so the sequencer seals
 * them into the tree on the first start; the old chain's HMAC columns and its head row go.
 */
export const auditSequencer: PortableMigration = {
  async up(db, dialect) {
    await withIntegerId(db.schema.createTable('audit_events_v2'), dialect)
      .addColumn('event_id', 'text', (c) => c.notNull().unique())
      .addColumn('occurred_at', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      // No foreign key: the record of what a user did outlives the user.
      .addColumn('actor_id', 'integer')
      .addColumn('target_type', 'text')
      .addColumn('target_id', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('client_ip', 'text', (c) => c.notNull())
      .addColumn('user_agent', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      // Set once by the sequencer; null while the event is committed but not yet sealed.
      .addColumn('seq', 'integer', (c) => c.unique())
      .addColumn('leaf_hash', 'text')
      .addColumn('sealed_at', 'text')
      .execute()

    const fields = [
      'event_id',
      'occurred_at',
      'type',
      'actor_id',
      'target_type',
      'target_id',
      'outcome',
      'client_ip',
      'user_agent',
      'details',
    ] as const
    await db
      .insertInto('audit_events_v2')
      .columns(['id', ...fields])
      .expression(
        db
          .selectFrom('audit_events')
          .select(['seq as id', ...fields])
          .orderBy('seq'),
      )
      .execute()
    if (dialect === 'postgres') {
      // The identity sequence must continue after the carried-over ids.
      await sql`select setval(pg_get_serial_sequence('audit_events_v2', 'id'), coalesce((select max(id) from audit_events_v2), 0) + 1, false)`.execute(
        db,
      )
    }
    await db.schema.dropTable('audit_events').execute()
    await db.schema.dropTable('audit_chain_head').execute()
    await db.schema.alterTable('audit_events_v2').renameTo('audit_events').execute()

    for (const column of ['type', 'actor_id', 'occurred_at'] as const) {
      await db.schema
        .createIndex(`audit_events_${column}_idx`)
        .on('audit_events')
        .column(column)
        .execute()
    }
    await db.schema
      .createIndex('audit_events_target_idx')
      .on('audit_events')
      .columns(['target_type', 'target_id'])
      .execute()
    // The sequencer's inbox: only unsealed events are in this index, so finding them is cheap
    // however long the log grows.
    await db.schema
      .createIndex('audit_events_unsealed_idx')
      .on('audit_events')
      .column('id')
      .where(sql.ref('seq'), 'is', null)
      .execute()

    // Every aligned complete subtree of the Merkle tree, stored once when it completes, so an
    // inclusion or consistency proof reads O(log n) rows. Level 0 holds the leaf hashes.
    await db.schema
      .createTable('audit_tree_nodes')
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_tree_nodes_pk', ['level', 'idx'])
      .execute()

    await db.schema
      .createTable('audit_checkpoints')
      .addColumn('tree_size', 'integer', (c) => c.primaryKey())
      .addColumn('root_hash', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .execute()

    // One row: how far the sequencer has sealed. Only the sequencer writes it.
    await db.schema
      .createTable('audit_log_state')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('tree_size', 'integer', (c) => c.notNull())
      .addColumn('root_hash', 'text', (c) => c.notNull())
      .execute()
    await db
      .insertInto('audit_log_state')
      .values({
        id: 1,
        tree_size: 0,
        // SHA-256 of the empty string: the root of the empty tree (RFC 9162 §2.1.1).
        root_hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      })
      .execute()
  },
}
