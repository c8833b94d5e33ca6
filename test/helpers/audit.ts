import { loadConfig } from '../../src/config.js'
import { openStore } from '../../src/db/connect.js'
import { findLatestCheckpoint } from '../../src/domain/audit/checkpoints-repo.js'
import { countUnsealed } from '../../src/domain/audit/repo.js'
import { findLogState } from '../../src/domain/audit/sequencer-repo.js'

export interface SealedState {
  treeSize: number
  unsealed: number
  checkpointSize: number
  distinctEvents: number
  events: number
}

/**
 * Reads how far the store's audit log is sealed, from the environment a server runs with. One
 * snapshot: read statement by statement, a batch that commits in between would pair an old
 * head with a new unsealed count and look finished while it is not.
 */
export async function readSealedState(env: Record<string, string>): Promise<SealedState> {
  const store = openStore(loadConfig(env).config.database)
  try {
    return await store.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const state = await findLogState(trx)
        const counts = await trx
          .selectFrom('audit_events')
          .select((eb) => [
            eb.fn.countAll<number | string>().as('events'),
            eb.fn.count<number | string>('event_id').distinct().as('distinct_events'),
          ])
          .executeTakeFirstOrThrow()
        return {
          treeSize: state.treeSize,
          unsealed: await countUnsealed(trx),
          checkpointSize: (await findLatestCheckpoint(trx))?.treeSize ?? 0,
          events: Number(counts.events),
          distinctEvents: Number(counts.distinct_events),
        }
      })
  } finally {
    await store.close()
  }
}

/**
 * Waits until every committed event is sealed and a checkpoint covers them all: the sequencer
 * of a serving node does this within a batch interval and a checkpoint period. Bounded.
 */
export async function waitForSealedLog(
  env: Record<string, string>,
  timeoutMs = 15_000,
): Promise<SealedState> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const state = await readSealedState(env)
    const done = state.unsealed === 0 && state.checkpointSize === state.treeSize
    if (done || Date.now() > deadline) return state
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
