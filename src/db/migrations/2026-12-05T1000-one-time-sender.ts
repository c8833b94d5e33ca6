import type { PortableMigration } from '../portable.js'

/**
 * Who a one-time link is from: the display identity (e-mail, else username) of the person who
 * made it while signed in to the web app, so its reveal page can say so before anything is
 * burnt (docs/web-app.md). Null for every link made without a session and by the APIs, which
 * never set it and never show it.
 */
export const oneTimeSender: PortableMigration = {
  async up(db) {
    await db.schema.alterTable('one_time_secrets').addColumn('sender', 'text').execute()
  },
}
