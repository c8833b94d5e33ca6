import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { accessOf, allows } from '../../src/domain/vault/permission.js'
import type { Access, AccessFacts, SecretAction } from '../../src/domain/vault/permission.js'

/** The one permission rule of the vault, as a pure function (docs/surfaces/2-secrets-v1.md). */
describe('vault permission rule', () => {
  const facts = (over: Partial<AccessFacts>): AccessFacts => ({
    isOwner: false,
    direct: undefined,
    viaGroups: [],
    ...over,
  })

  it('ranks owner over the strongest grant over nothing, whichever path a grant took', () => {
    const cases: [AccessFacts, Access][] = [
      [facts({}), 'none'],
      [facts({ isOwner: true }), 'owner'],
      // Ownership wins even over grants the owner also holds (e.g. through a group).
      [facts({ isOwner: true, direct: 'read-only', viaGroups: ['read-only'] }), 'owner'],
      [facts({ direct: 'read-only' }), 'read-only'],
      [facts({ direct: 'read-write' }), 'read-write'],
      [facts({ viaGroups: ['read-only'] }), 'read-only'],
      [facts({ viaGroups: ['read-only', 'read-write', 'read-only'] }), 'read-write'],
      // A weaker grant never narrows a stronger one, in either direction.
      [facts({ direct: 'read-only', viaGroups: ['read-write'] }), 'read-write'],
      [facts({ direct: 'read-write', viaGroups: ['read-only'] }), 'read-write'],
    ]
    for (const [input, expected] of cases) {
      assert.equal(accessOf(input), expected, JSON.stringify(input))
    }
  })

  it('lets read-only read, read-write update, and only the owner delete or manage', () => {
    const expected: Record<Access, Record<SecretAction, boolean>> = {
      none: { read: false, update: false, delete: false, manage: false },
      'read-only': { read: true, update: false, delete: false, manage: false },
      'read-write': { read: true, update: true, delete: false, manage: false },
      owner: { read: true, update: true, delete: true, manage: true },
    }
    for (const [access, actions] of Object.entries(expected) as [
      Access,
      Record<SecretAction, boolean>,
    ][]) {
      for (const [action, allowed] of Object.entries(actions) as [SecretAction, boolean][]) {
        assert.equal(allows(access, action), allowed, `${access} × ${action}`)
      }
    }
  })
})
