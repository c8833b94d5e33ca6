import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'

import { openStore } from '../../src/db/connect.js'
import type { Store } from '../../src/db/connect.js'
import { prepareStore } from '../../src/db/prepare.js'
import { createTransactor } from '../../src/db/transaction.js'
import { createWalSync } from '../../src/db/wal-sync.js'
import type { WalSync } from '../../src/db/wal-sync.js'
import { createTestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'

for (const dialect of DIALECTS) {
  describe(`transactions (${dialect})`, () => {
    it('commit concurrent units independently: a failing unit rolls back alone', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const store = openStore(environment.config.database)
      environment.defer(() => store.close())
      await prepareStore(store)
      const transact = createTransactor(store)

      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) =>
          transact(async (trx) => {
            await trx
              .insertInto('throttle_counters')
              .values({ key: `unit-${i}`, count: i, window_ends_at: 'x' })
              .execute()
            if (i % 10 === 3) throw new Error(`unit ${i} fails`)
            // A second statement in the same unit: both or neither survive.
            await trx
              .insertInto('revoked_tokens')
              .values({ jti: `unit-${i}`, expires_at: 'x' })
              .execute()
            return i
          }),
        ),
      )
      const failed = results.flatMap((result, i) => (result.status === 'rejected' ? [i] : []))
      assert.deepEqual(failed, [3, 13, 23, 33, 43, 53, 63, 73, 83, 93])
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') assert.equal(result.value, i)
      })

      // Seen from a second connection: every acknowledged unit is committed, no failed one is.
      const other = openStore(environment.config.database)
      environment.defer(() => other.close())
      const counters = await other.db.selectFrom('throttle_counters').select('key').execute()
      const tokens = await other.db.selectFrom('revoked_tokens').select('jti').execute()
      assert.equal(counters.length, 90)
      assert.equal(tokens.length, 90)
      assert.ok(!counters.some((row) => row.key === 'unit-3'))
    })

    it('lets a unit call transact again without deadlocking', async (t) => {
      const environment = await createTestEnvironment(t, { dialect })
      const store = openStore(environment.config.database)
      environment.defer(() => store.close())
      await prepareStore(store)
      const transact = createTransactor(store)
      const value = await transact(async (trx) => {
        await trx.insertInto('revoked_tokens').values({ jti: 'outer', expires_at: 'x' }).execute()
        return transact(async (inner) => {
          const row = await inner
            .selectFrom('revoked_tokens')
            .select('jti')
            .where('jti', '=', 'outer')
            .executeTakeFirst()
          return row?.jti
        })
      })
      assert.equal(value, 'outer')
    })
  })
}

/** A WAL flusher whose flushes finish only when the test says so. */
function gatedWalSync(): WalSync & { flushes: number; finish(): void } {
  let release: (() => void)[] = []
  const gate = {
    flushes: 0,
    sync() {
      gate.flushes++
      return new Promise<void>((resolve) => release.push(resolve))
    },
    close: () => Promise.resolve(),
    finish() {
      const waiting = release
      release = []
      for (const resolve of waiting) resolve()
    },
  }
  return gate
}

describe('durability on SQLite', () => {
  it('answers a unit only after the WAL flush that follows its commit', async (t) => {
    const environment = await createTestEnvironment(t)
    const opened = openStore(environment.config.database)
    environment.defer(() => opened.close())
    await prepareStore(opened)
    const walSync = gatedWalSync()
    const connection = opened.sqlite?.connection
    assert.ok(connection !== undefined)
    const store: Store = { ...opened, sqlite: { connection, walSync } }
    const transact = createTransactor(store)

    let answered = false
    const unit = transact((trx) =>
      trx.insertInto('revoked_tokens').values({ jti: 'durable', expires_at: 'x' }).execute(),
    ).then(() => {
      answered = true
    })
    // Committed (another connection sees it) but not yet flushed: nobody has heard back.
    const other = openStore(environment.config.database)
    environment.defer(() => other.close())
    for (;;) {
      const row = await other.db.selectFrom('revoked_tokens').select('jti').executeTakeFirst()
      if (row !== undefined) break
      await new Promise((resolve) => setImmediate(resolve))
    }
    while (walSync.flushes === 0) await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(answered, false)
    walSync.finish()
    await unit
    assert.equal(answered, true)
  })

  it('answers an autocommit write through the query builder only after its flush', async (t) => {
    const environment = await createTestEnvironment(t)
    const store = openStore(environment.config.database)
    environment.defer(() => store.close())
    await prepareStore(store)
    const flushed: string[] = []
    const real = store.sqlite?.walSync
    assert.ok(real !== undefined)
    const sync = real.sync.bind(real)
    real.sync = async () => {
      await sync()
      flushed.push('flush')
    }
    await store.db.selectFrom('revoked_tokens').select('jti').execute()
    assert.deepEqual(flushed, [], 'a read waits for no flush')
    await store.db.insertInto('revoked_tokens').values({ jti: 'w', expires_at: 'x' }).execute()
    assert.deepEqual(flushed, ['flush'])
  })
})

describe('WAL flushes', () => {
  it('share one flush among callers who arrive while another is in flight', async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strongroom-wal-'))
    t.after(() => {
      rmSync(dir, { recursive: true, force: true })
    })
    writeFileSync(path.join(dir, 'x-wal'), 'frames')
    const walSync = createWalSync(path.join(dir, 'x-wal'))
    t.after(() => walSync.close())
    const first = walSync.sync()
    const second = walSync.sync()
    const third = walSync.sync()
    assert.equal(second, third, 'callers during a flush share the next one')
    assert.notEqual(first, second, 'a flush that began before a caller does not count for it')
    await Promise.all([first, second, third])
  })

  it('fail for good once a flush failed, naming the cause', async () => {
    const walSync = createWalSync('/nonexistent/strongroom-wal')
    await assert.rejects(walSync.sync(), /ENOENT/)
    await assert.rejects(walSync.sync(), /could not make writes durable.*restart the process/)
  })
})
