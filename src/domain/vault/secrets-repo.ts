import type { Kysely, Selectable } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { VaultSecretsTable } from '../../db/tables/vault.js'

export type SecretRow = Selectable<VaultSecretsTable>

/**
 * Inserts a secret whose sealed columns are still empty and returns its id. The caller seals the
 * values for that id and fills them in before its transaction commits, so no other connection
 * ever sees the empty row (and an empty envelope would not open anyway).
 */
export async function insertSecretShell(
  db: Kysely<Database>,
  ownerId: number,
  now: string,
): Promise<number> {
  const empty = Buffer.alloc(0)
  const { id } = await db
    .insertInto('vault_secrets')
    .values({
      owner_id: ownerId,
      name_sealed: empty,
      data_sealed: empty,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

export async function updateSecretSealed(
  db: Kysely<Database>,
  id: number,
  sealed: { name: Buffer; data: Buffer; iv: Buffer | null },
  now: string,
): Promise<void> {
  await db
    .updateTable('vault_secrets')
    .set({
      name_sealed: sealed.name,
      data_sealed: sealed.data,
      iv_sealed: sealed.iv,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute()
}

export function findSecret(db: Kysely<Database>, id: number): Promise<SecretRow | undefined> {
  return db.selectFrom('vault_secrets').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Deletes the secret; its grants go with it (ON DELETE CASCADE). */
export async function deleteSecret(db: Kysely<Database>, id: number): Promise<boolean> {
  const result = await db.deleteFrom('vault_secrets').where('id', '=', id).executeTakeFirst()
  return result.numDeletedRows > 0n
}

export async function countSecretsOwnedBy(db: Kysely<Database>, ownerId: number): Promise<number> {
  const { count } = await db
    .selectFrom('vault_secrets')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('owner_id', '=', ownerId)
    .executeTakeFirstOrThrow()
  return count
}

export function listSecretsOwnedBy(
  db: Kysely<Database>,
  ownerId: number,
  limit: number,
): Promise<SecretRow[]> {
  return db
    .selectFrom('vault_secrets')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .orderBy('id')
    .limit(limit)
    .execute()
}
