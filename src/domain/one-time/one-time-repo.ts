import { sql } from 'kysely'
import type { ExpressionBuilder, Insertable, Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { OneTimeKind, OneTimeSecretsTable } from '../../db/tables/one-time.js'

/**
 * SQL of the one-time store. Every function that decides who gets a secret, or who spends its
 * last attempt, is ONE guarded statement (`DELETE … RETURNING`, `UPDATE … RETURNING`), so the
 * database, not process memory, picks exactly one winner among any number of connections and
 * nodes (docs/architecture.md rule 7). `now` is ISO-8601 UTC with milliseconds; `expires_at > now`
 * compares lexically, which is chronological for that fixed-width form.
 */

/** What a removed row gives back to the live-byte quotas (see quota.ts). */
export interface UsageRow {
  id: number
  size_bytes: number
  client_hash: string | null
  quota_share: number | null
}
const USAGE = ['id', 'size_bytes', 'client_hash', 'quota_share'] as const

export interface SealedRow extends UsageRow {
  sealed: Buffer
  salt: Buffer
}

export interface ReservedRow extends SealedRow {
  passphrase_check: Buffer | null
  /** What is left after this attempt was taken. */
  attempts_left: number
}

export async function insertOneTimeSecret(
  db: Kysely<Database>,
  row: Insertable<OneTimeSecretsTable>,
): Promise<number> {
  const { id } = await db
    .insertInto('one_time_secrets')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

/**
 * The statements about the one secret a link names (its lookup hash, of its kind), as of `now`.
 * They all find it by the same predicate, so a read, a reservation and a delete can never
 * disagree about which row a key names or when it stops being live.
 */
export function secretByLink(
  db: Kysely<Database>,
  lookupHash: string,
  kind: OneTimeKind,
  now: string,
) {
  const named =
    (state: 'live' | 'expired') => (eb: ExpressionBuilder<Database, 'one_time_secrets'>) =>
      eb.and([
        eb('lookup_hash', '=', lookupHash),
        eb('kind', '=', kind),
        eb('expires_at', state === 'live' ? '>' : '<=', now),
      ])
  const live = named('live')
  const expired = named('expired')

  return {
    /** Surface 4's read: takes the live row away and hands it to exactly one caller. */
    consume: (): Promise<SealedRow | undefined> =>
      db
        .deleteFrom('one_time_secrets')
        .where(live)
        .returning([...USAGE, 'sealed', 'salt'])
        .executeTakeFirst(),

    /** Surface 4's delete of a secret that has no passphrase. */
    deleteUnprotected: (): Promise<UsageRow | undefined> =>
      db
        .deleteFrom('one_time_secrets')
        .where(live)
        .where('passphrase_check', 'is', null)
        .returning(USAGE)
        .executeTakeFirst(),

    /**
     * Takes one attempt from a live secret before its passphrase is judged, and returns what
     * judging needs. Taking it first bounds guessing by the budget even when thousands of guesses
     * arrive at once: a guess that finds no attempt left is never evaluated.
     */
    reserveAttempt: (): Promise<ReservedRow | undefined> =>
      db
        .updateTable('one_time_secrets')
        .set((eb) => ({ attempts_left: eb('attempts_left', '-', 1) }))
        .where(live)
        .where('attempts_left', '>', 0)
        .returning([...USAGE, 'sealed', 'salt', 'passphrase_check', 'attempts_left'])
        .executeTakeFirst(),

    /** The id of the live secret, without touching it. */
    async findId(): Promise<number | undefined> {
      const row = await db
        .selectFrom('one_time_secrets')
        .select('id')
        .where(live)
        .executeTakeFirst()
      return row?.id
    },

    /**
     * What the reveal page may know before the secret is burnt: that it is live, and who made
     * it. Reads nothing sealed and changes nothing, so any number of looks leave it as it was.
     */
    findSender: (): Promise<{ sender: string | null } | undefined> =>
      db.selectFrom('one_time_secrets').select('sender').where(live).executeTakeFirst(),

    /** A read-only look first, so the usual miss (an unknown key) takes no write lock. */
    async isExpired(): Promise<boolean> {
      const row = await db
        .selectFrom('one_time_secrets')
        .select('id')
        .where(expired)
        .executeTakeFirst()
      return row !== undefined
    },

    deleteExpired: (): Promise<UsageRow | undefined> =>
      db.deleteFrom('one_time_secrets').where(expired).returning(USAGE).executeTakeFirst(),
  }
}

/** The second half of a checked read or delete: only one of several verified callers wins. */
export async function consumeById(
  db: Kysely<Database>,
  id: number,
  now: string,
): Promise<UsageRow | undefined> {
  return db
    .deleteFrom('one_time_secrets')
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .returning(USAGE)
    .executeTakeFirst()
}

/** Destroys a secret whose attempts are all spent; the row for the one caller that did it. */
export async function destroySpent(
  db: Kysely<Database>,
  id: number,
): Promise<UsageRow | undefined> {
  return db
    .deleteFrom('one_time_secrets')
    .where('id', '=', id)
    .where('attempts_left', '<=', 0)
    .returning(USAGE)
    .executeTakeFirst()
}

/** Up to `limit` expired rows, removed; each returned row was removed by this call alone. */
export async function deleteExpiredBatch(
  db: Kysely<Database>,
  now: string,
  limit: number,
): Promise<(UsageRow & { kind: OneTimeKind })[]> {
  return db
    .deleteFrom('one_time_secrets')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('one_time_secrets')
        .select('id')
        .where('expires_at', '<=', now)
        .orderBy('expires_at')
        .limit(limit),
    )
    .where('expires_at', '<=', now)
    .returning([...USAGE, 'kind'])
    .execute()
}

/**
 * SQLite keeps the pages a delete overwrote in the WAL until a checkpoint; TRUNCATE copies them
 * back (secure_delete has zeroed the freed cells) and empties the WAL file, so a burnt secret's
 * ciphertext does not linger on disk. A busy database just skips one round.
 */
export async function truncateWal(db: Kysely<Database>): Promise<void> {
  await sql`pragma wal_checkpoint(truncate)`.execute(db)
}
