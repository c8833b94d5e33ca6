import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { AccountTokenScope } from '../../db/tables/accounts.js'

/** Stores a token's digest; an older token of the same scope for the user stops working. */
export async function replaceAccountToken(
  db: Kysely<Database>,
  row: { tokenHash: string; userId: number; scope: AccountTokenScope; expiresAt: string },
): Promise<void> {
  await db
    .deleteFrom('account_tokens')
    .where('user_id', '=', row.userId)
    .where('scope', '=', row.scope)
    .execute()
  await db
    .insertInto('account_tokens')
    .values({
      token_hash: row.tokenHash,
      user_id: row.userId,
      scope: row.scope,
      expires_at: row.expiresAt,
    })
    .execute()
}

/** The user a live token of this scope belongs to, without using it up. */
export async function findAccountToken(
  db: Kysely<Database>,
  tokenHash: string,
  scope: AccountTokenScope,
  now: string,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('account_tokens')
    .select('user_id')
    .where('token_hash', '=', tokenHash)
    .where('scope', '=', scope)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return row?.user_id
}

/**
 * Uses a live token up: deletes it and answers whose it was, or undefined when it was not (or
 * no longer) there. Of two requests racing with one token, exactly one gets the user.
 */
export async function consumeAccountToken(
  db: Kysely<Database>,
  tokenHash: string,
  scope: AccountTokenScope,
  now: string,
): Promise<number | undefined> {
  const row = await db
    .deleteFrom('account_tokens')
    .where('token_hash', '=', tokenHash)
    .where('scope', '=', scope)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst()
  return row?.user_id
}

export async function deleteAccountTokens(
  db: Kysely<Database>,
  userId: number,
  scope: AccountTokenScope,
): Promise<void> {
  await db
    .deleteFrom('account_tokens')
    .where('user_id', '=', userId)
    .where('scope', '=', scope)
    .execute()
}

/** Forgets expired tokens; they could not be used anyway. */
export async function deleteExpiredAccountTokens(
  db: Kysely<Database>,
  now: string,
): Promise<number> {
  const result = await db
    .deleteFrom('account_tokens')
    .where('expires_at', '<=', now)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
