import type { Kysely } from 'kysely'

import { prepared } from '../../db/prepared.js'
import type { Database, Role } from '../../db/schema.js'

export interface AuthState {
  id: number
  username: string | null
  email: string | null
  role: Role
  token_version: number
  revoked: boolean
}

/**
 * Everything needed to honour a token, in one round trip: the user (absent if deleted), their
 * role and token version, and whether this token id was logged out. Every authenticated request
 * runs it, so it is prepared (db/prepared.ts).
 */
const authState = prepared((db, p: { userId: number; jti: string }) =>
  db
    .selectFrom('users')
    .select((eb) => [
      'users.id',
      'users.username',
      'users.email',
      'users.role',
      'users.token_version',
      eb
        .exists(eb.selectFrom('revoked_tokens').select('jti').where('jti', '=', p.jti))
        .as('revoked'),
    ])
    .where('users.id', '=', p.userId),
)

export async function findAuthState(
  db: Kysely<Database>,
  userId: number,
  jti: string,
): Promise<AuthState | undefined> {
  const row = await authState.first(db, { userId, jti })
  // SQLite answers EXISTS with 0/1, PostgreSQL with a boolean.
  return row === undefined ? undefined : { ...row, revoked: Boolean(row.revoked) }
}

export async function insertRevokedToken(
  db: Kysely<Database>,
  jti: string,
  expiresAt: string,
): Promise<void> {
  await db
    .insertInto('revoked_tokens')
    .values({ jti, expires_at: expiresAt })
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute()
}

/** Forgets revocations of tokens that have expired anyway. */
export async function deleteExpiredRevocations(db: Kysely<Database>, now: string): Promise<number> {
  const result = await db
    .deleteFrom('revoked_tokens')
    .where('expires_at', '<=', now)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
