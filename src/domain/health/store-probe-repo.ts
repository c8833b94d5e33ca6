import { sql } from 'kysely'
import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'

/** The cheapest statement the store must answer: throws when it cannot be reached. */
export async function probeStore(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db)
}
