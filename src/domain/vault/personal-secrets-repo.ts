import type { Kysely } from 'kysely'

import { prepared } from '../../db/prepared.js'
import type { Database } from '../../db/schema.js'

const personalSecret = prepared((db, p: { userId: number }) =>
  db.selectFrom('personal_secrets').select('sealed').where('user_id', '=', p.userId),
)

export async function findPersonalSecret(
  db: Kysely<Database>,
  userId: number,
): Promise<Buffer | undefined> {
  return (await personalSecret.first(db, { userId }))?.sealed
}

/** Insert or overwrite: a user has one personal secret (docs/surfaces/1-secret-storage.md). */
export async function upsertPersonalSecret(
  db: Kysely<Database>,
  userId: number,
  sealed: Buffer,
  now: string,
): Promise<void> {
  await db
    .insertInto('personal_secrets')
    .values({ user_id: userId, sealed, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ sealed, updated_at: now }))
    .execute()
}
