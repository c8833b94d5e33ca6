import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely'

import type { Database } from '../../src/db/schema.js'
import type { Transact } from '../../src/db/transaction.js'
import { AppError } from '../../src/errors.js'
import type { AuditEvent } from '../../src/domain/audit/types.js'
import type { Principal } from '../../src/domain/principal.js'
import { acted, createAuditedStep } from '../../src/domain/vault/audited-step.js'
import type { StepEvent } from '../../src/domain/vault/audited-step.js'
import { deny, done, refused } from '../../src/domain/vault/outcome.js'

/** The one template of every guarded vault route: guard, act, and the event that says how it ended. */
describe('vault audited step', () => {
  // A transaction handle that never reaches a database: the step only passes it on.
  const trx = new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  })
  const principal: Principal = {
    userId: 7,
    username: 'alice',
    email: null,
    role: 'user',
    jti: 'jti',
    tokenExpiresAt: new Date(0),
  }
  const context = { clientIp: '192.0.2.1', userAgent: 'test' }
  const event: StepEvent = {
    type: 'vault.share.grant',
    principal,
    target: { type: 'vault-secret', id: 3 },
    context,
    about: { grantee_type: 'user', grantee_id: 9 },
  }

  /** A step over a transaction that remembers whether it committed, and the events appended in it. */
  const world = () => {
    const events: AuditEvent[] = []
    let committed = 0
    const transact = (async (work: (trx: Kysely<Database>) => Promise<unknown>) => {
      const result = await work(trx)
      committed += 1
      return result
    }) as Transact
    const step = createAuditedStep({
      transact,
      audit: {
        append: async (inside, appended) => {
          assert.equal(inside, trx, 'the event is appended in the step’s transaction')
          events.push(appended)
        },
      },
    })
    return { step, events, committed: () => committed }
  }

  const brief = (events: AuditEvent[]) =>
    events.map(({ type, outcome, actorId, target, details }) => ({
      type,
      outcome,
      actorId,
      target,
      details,
    }))

  it('acts on what the guard found and records the success with the step’s details first', async () => {
    const { step, events } = world()
    const value = await step(
      event,
      async () => done('the subject'),
      async (_trx, subject) => acted(`${subject} acted on`, { permission: 'read-only' }),
    )
    assert.equal(value, 'the subject acted on')
    assert.deepEqual(brief(events), [
      {
        type: 'vault.share.grant',
        outcome: 'success',
        actorId: 7,
        target: { type: 'vault-secret', id: 3 },
        details: { grantee_type: 'user', grantee_id: 9, permission: 'read-only' },
      },
    ])
    assert.equal(events[0]?.context, context)
  })

  it('commits a denial on the chain, then throws it, and never acts', async () => {
    const { step, events, committed } = world()
    const error = new AppError('FORBIDDEN', 'no')
    await assert.rejects(
      step(
        event,
        async () => deny(error, { access: 'none' }),
        async () => assert.fail('a refused step does not act'),
      ),
      (thrown) => thrown === error,
    )
    assert.equal(committed(), 1, 'the transaction with the denied event committed')
    assert.deepEqual(brief(events), [
      {
        type: 'vault.share.grant',
        outcome: 'denied',
        actorId: 7,
        target: { type: 'vault-secret', id: 3 },
        details: { grantee_type: 'user', grantee_id: 9, access: 'none' },
      },
    ])
  })

  it('records a denial the action makes, and nothing for a plain refusal', async () => {
    const { step, events } = world()
    const missing = new AppError('NOT_FOUND', 'gone')
    await assert.rejects(
      step(
        { ...event, about: undefined },
        async () => refused(missing),
        async () => acted(1),
      ),
      (thrown) => thrown === missing,
    )
    assert.equal(events.length, 0, 'a missing subject is not an event')
    const denied = new AppError('FORBIDDEN', 'no seat')
    await assert.rejects(
      step(
        { ...event, about: undefined },
        async () => done(undefined),
        async () => deny(denied, { reason: 'not-a-member' }),
      ),
      (thrown) => thrown === denied,
    )
    assert.deepEqual(
      events.map((appended) => [appended.outcome, appended.details]),
      [['denied', { reason: 'not-a-member' }]],
    )
  })

  it('records an action that did nothing as a failure, and a success without details bare', async () => {
    const { step, events } = world()
    await step(
      { ...event, about: undefined },
      async () => done(undefined),
      async () =>
        done({ value: undefined, outcome: 'failure', details: { reason: 'no-such-user' } }),
    )
    await step(
      { ...event, about: undefined },
      async () => done(undefined),
      async () => acted(2),
    )
    assert.deepEqual(
      events.map((appended) => [appended.outcome, appended.details]),
      [
        ['failure', { reason: 'no-such-user' }],
        ['success', undefined],
      ],
    )
    assert.ok(!('details' in (events[1] ?? {})), 'no details key at all, as before')
  })
})
