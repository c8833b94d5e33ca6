import { randomInt } from 'node:crypto'

import type { Kysely } from 'kysely'

import type { OneTimeQuotaConfig } from '../../config.js'
import type { LookupHasher } from '../../crypto/lookup.js'
import type { Database } from '../../db/schema.js'
import { rateLimited } from '../../errors.js'
import type { UsageRow } from './one-time-repo.js'
import {
  addClientUsage,
  addShareUsage,
  deleteIdleClients,
  firstExpiry,
  subtractUsage,
} from './quota-repo.js'

/**
 * The store-wide cap is kept in this many equal shares. One counter for the whole store would be
 * one row every creation and every read updates and holds locked until its commit: on
 * PostgreSQL, one-time traffic from every node would queue on it. A creation takes its bytes
 * from one share (a random one first, then the others), so concurrent creations rarely meet;
 * the price is that the store can refuse a secret while the shares together still have room
 * for it, by less than one secret per share.
 */
export const QUOTA_SHARES = 8

/** The longest Retry-After a full quota answers: secrets may be read long before they expire. */
const MAX_RETRY_AFTER_SECONDS = 3600

export type OneTimeQuota = ReturnType<typeof createOneTimeQuota>

/**
 * Live-byte quotas on one-time secrets (ONE_TIME_MAX_LIVE_BYTES, …_PER_CLIENT): the bytes a
 * secret takes when stored are counted when it is created and released when it is read,
 * deleted, destroyed or expires, in the transaction that does it. Counts are exact and race-free
 * on both stores: every change is one guarded statement on a counter row (quota-repo.ts), which
 * the database serialises per row. Clients are counted under a keyed hash of their address, so
 * the table names nobody.
 */
export function createOneTimeQuota(deps: { lookup: LookupHasher; limits: OneTimeQuotaConfig }) {
  const { lookup, limits } = deps
  const shareCap = Math.ceil(limits.maxLiveBytes / QUOTA_SHARES)

  const retryAfter = async (
    db: Kysely<Database>,
    clientHash: string | undefined,
    now: Date,
  ): Promise<number> => {
    const first = await firstExpiry(db, clientHash, now.toISOString())
    const seconds = first === undefined ? 1 : Math.ceil((Date.parse(first) - now.getTime()) / 1000)
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, seconds))
  }

  return {
    clientHashOf: (client: string): string => lookup('one-time-client', client),

    /**
     * Counts `bytes` against the client and one share of the store, inside `trx`, and returns
     * the share; or throws RATE_LIMITED, with the seconds until the first of the client's (or
     * the store's) secrets expires, so the caller's transaction rolls the charge back. The
     * client's row is locked before the share's, as `release` does, so no two transactions
     * wait on each other.
     */
    async charge(
      trx: Kysely<Database>,
      clientHash: string,
      bytes: number,
      now: Date,
    ): Promise<number> {
      const clientFits =
        bytes <= limits.maxLiveBytesPerClient &&
        (await addClientUsage(trx, `client:${clientHash}`, bytes, limits.maxLiveBytesPerClient))
      if (!clientFits) throw rateLimited(await retryAfter(trx, clientHash, now))
      if (bytes <= shareCap) {
        const start = randomInt(QUOTA_SHARES)
        for (let i = 0; i < QUOTA_SHARES; i++) {
          const share = (start + i) % QUOTA_SHARES
          if (await addShareUsage(trx, `store:${share}`, bytes, shareCap)) return share
        }
      }
      throw rateLimited(await retryAfter(trx, undefined, now))
    },

    /** Gives back what removed rows held, inside the transaction that removed them. */
    async release(trx: Kysely<Database>, rows: readonly UsageRow[]): Promise<void> {
      const totals = new Map<string, number>()
      const add = (scope: string, bytes: number): void => {
        totals.set(scope, (totals.get(scope) ?? 0) + bytes)
      }
      for (const row of rows) {
        if (row.client_hash !== null) add(`client:${row.client_hash}`, row.size_bytes)
        if (row.quota_share !== null) add(`store:${String(row.quota_share)}`, row.size_bytes)
      }
      // Sorted: `client:` rows before `store:` rows, the order `charge` locks them in.
      for (const scope of [...totals.keys()].sort()) {
        await subtractUsage(trx, scope, totals.get(scope) ?? 0)
      }
    },

    forgetIdleClients: (db: Kysely<Database>): Promise<number> => deleteIdleClients(db),
  }
}
