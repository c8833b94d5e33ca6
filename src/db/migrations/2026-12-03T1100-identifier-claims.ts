import { identifierClaims, usernameKey } from '../../domain/accounts/identity.js'
import type { PortableMigration } from '../portable.js'

/**
 * The shared identifier space (src/db/tables/identifier-claims.ts) and the PRECIS username keys.
 *
 * Unlike other migrations this one imports application code: the keys must be computed by the
 * same TypeScript that registration uses, identically on SQLite and PostgreSQL. A later change
 * of the profile must come with a migration that re-keys again.
 *
 * Existing accounts are re-keyed oldest first. When two of them now collide (`ｂob` and `bob`,
 * `paypal` and `раypal`, or a username equal to another account's e-mail), both are kept with
 * their data, passwords and e-mail logins: the older account holds the identifier; the newer one
 * gets no username key (`username_key` NULL), so it no longer signs in by username and is
 * named to the CLI by `--id` or `--email`. README "Command line" shows how to list them.
 */
export const identifierClaimsMigration: PortableMigration = {
  async up(db) {
    await db.schema
      .createTable('identifier_claims')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .execute()
    await db.schema
      .createIndex('identifier_claims_user_id_idx')
      .on('identifier_claims')
      .column('user_id')
      .execute()

    const users = (await db
      .selectFrom('users')
      .select(['id', 'email', 'username'])
      .orderBy('id')
      .execute()) as { id: number; email: string | null; username: string | null }[]
    // Keys are reassigned from scratch, so an old key never blocks a new one.
    await db.updateTable('users').set({ username_key: null }).execute()
    for (const user of users) {
      const claims = identifierClaims(user)
      const claimed = await db
        .selectFrom('identifier_claims')
        .select('key')
        .where(
          'key',
          'in',
          claims.map((claim) => claim.key),
        )
        .execute()
      const taken = new Set(claimed.map((row: { key: string }) => row.key))
      const free = claims.filter((claim) => !taken.has(claim.key))
      if (free.length > 0) {
        await db
          .insertInto('identifier_claims')
          .values(free.map((claim) => ({ key: claim.key, user_id: user.id })))
          .execute()
      }
      if (user.username !== null) {
        const key = usernameKey(user.username)
        const usernameClaims = claims.filter((claim) => claim.field === 'username')
        if (usernameClaims.every((claim) => !taken.has(claim.key))) {
          await db
            .updateTable('users')
            .set({ username_key: key })
            .where('id', '=', user.id)
            .execute()
        }
      }
    }
  },
}
