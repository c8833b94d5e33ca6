import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'

/** What an account holds, counted for its deletion's audit event. */
export interface AccountHoldings {
  secrets: number
  shares: number
  memberships: number
  groups: number
}

const count = async (query: Promise<{ count: number | string | bigint }>): Promise<number> =>
  Number((await query).count)

export async function countHoldings(
  db: Kysely<Database>,
  userId: number,
): Promise<AccountHoldings> {
  const secrets = await count(
    db
      .selectFrom('vault_secrets')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('owner_id', '=', userId)
      .executeTakeFirstOrThrow(),
  )
  const received = await count(
    db
      .selectFrom('vault_user_grants')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow(),
  )
  const givenToUsers = await count(
    db
      .selectFrom('vault_user_grants')
      .innerJoin('vault_secrets', 'vault_secrets.id', 'vault_user_grants.secret_id')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('vault_secrets.owner_id', '=', userId)
      .executeTakeFirstOrThrow(),
  )
  const givenToGroups = await count(
    db
      .selectFrom('vault_group_grants')
      .innerJoin('vault_secrets', 'vault_secrets.id', 'vault_group_grants.secret_id')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('vault_secrets.owner_id', '=', userId)
      .executeTakeFirstOrThrow(),
  )
  const memberships = await count(
    db
      .selectFrom('vault_group_members')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow(),
  )
  const groups = await count(
    db
      .selectFrom('vault_groups')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('creator_id', '=', userId)
      .executeTakeFirstOrThrow(),
  )
  return { secrets, shares: received + givenToUsers + givenToGroups, memberships, groups }
}

/**
 * Deletes the user row. The schema takes everything that hangs off it along (ON DELETE CASCADE):
 * their vault secrets and every share of them, shares made to them, their memberships, the
 * groups they created (with those groups' memberships and shares), their personal secret,
 * identifier claims and one-use tokens. Audit events keep the id as plain data and stay.
 */
export async function deleteUser(db: Kysely<Database>, userId: number): Promise<boolean> {
  const result = await db.deleteFrom('users').where('id', '=', userId).executeTakeFirst()
  return result.numDeletedRows > 0n
}
