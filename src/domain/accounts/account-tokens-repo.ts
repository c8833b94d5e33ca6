import type { ExpressionBuilder, Kysely } from 'kysely'

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

/**
 * The statements about the live token of `scope` whose digest is `tokenHash`, as of `now`; both
 * find it by the same predicate, so a look and a use can never disagree about which token is live.
 */
export function accountTokenByHash(
  db: Kysely<Database>,
  tokenHash: string,
  scope: AccountTokenScope,
  now: string,
) {
  const live = (eb: ExpressionBuilder<Database, 'account_tokens'>) =>
    eb.and([eb('token_hash', '=', tokenHash), eb('scope', '=', scope), eb('expires_at', '>', now)])
  return {
    /** The user the token belongs to, without using it up. */
    async owner(): Promise<number | undefined> {
      const row = await db
        .selectFrom('account_tokens')
        .select('user_id')
        .where(live)
        .executeTakeFirst()
      return row?.user_id
    },

    /**
     * Uses the token up: deletes it and answers whose it was, or undefined when it was not (or
     * no longer) there. Of two requests racing with one token, exactly one gets the user.
     */
    async consume(): Promise<number | undefined> {
      const row = await db
        .deleteFrom('account_tokens')
        .where(live)
        .returning('user_id')
        .executeTakeFirst()
      return row?.user_id
    },
  }
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
