import type { PortableMigration } from '../portable.js'

export const audit: PortableMigration = {
  async up(db) {
    await db.schema
      .createTable('audit_events')
      .addColumn('seq', 'integer', (c) => c.primaryKey())
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
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute()
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

    await db.schema
      .createTable('audit_chain_head')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute()
    await db
      .insertInto('audit_chain_head')
      .values({ id: 1, seq: 0, hash: '0'.repeat(64) })
      .execute()
  },
}
