import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import { isUniqueViolation } from '../../db/errors.js'
import type { Database } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import { AppError } from '../../errors.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AuditType } from '../audit/types.js'
import { acted, createAuditedStep } from './audited-step.js'
import type { Acted } from './audited-step.js'
import { userExists } from './grants-repo.js'
import {
  countGroupGrants,
  countGroupsCreatedBy,
  countMembers,
  deleteGroup,
  deleteMember,
  findGroup,
  insertGroup,
  insertMember,
  isMember,
  listGroupsOfMember,
  listMembers,
  renameGroup,
} from './groups-repo.js'
import type { GroupRow } from './groups-repo.js'
import { VAULT_LIMITS } from './limits.js'
import { decide, deny, done, refused } from './outcome.js'
import { recordVaultEvent } from './vault-events.js'
import type { Outcome } from './outcome.js'
import { clash, denied, missing } from './vault-errors.js'
import type { VaultDenial } from './vault-errors.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'

export interface GroupView {
  id: number
  name: string
  creatorId: number
  createdAt: string
}

export interface MemberView {
  id: number
  email: string | null
  username: string | null
  createdAt: string
}

export interface GroupDetailView extends GroupView {
  members: MemberView[]
}

export type GroupService = ReturnType<typeof createGroupService>

/** Who may take a step on a group, what refuses anyone else, and the event the step is. */
interface GroupNeed {
  role: 'creator' | 'member'
  denial: VaultDenial
  type: AuditType
}

/** What each step on a group needs; the member steps are reads, and leaving. */
const NEEDS = {
  read: { role: 'member', denial: 'group.read', type: 'vault.group.read' },
  rename: { role: 'creator', denial: 'group.update', type: 'vault.group.rename' },
  delete: { role: 'creator', denial: 'group.delete', type: 'vault.group.delete' },
  addMember: { role: 'creator', denial: 'group.add-member', type: 'vault.group.member.add' },
  removeMember: {
    role: 'creator',
    denial: 'group.remove-member',
    type: 'vault.group.member.remove',
  },
  // Leaving needs only a seat; refused, it reads as a member-only read would.
  leave: { role: 'member', denial: 'group.read', type: 'vault.group.member.remove' },
} as const satisfies Record<string, GroupNeed>

/** Group names are unique ignoring case, like usernames (NFC first, so "é" typed two ways is one name). */
export const groupNameKey = (name: string): string => name.normalize('NFC').toLowerCase()

const toView = (row: GroupRow): GroupView => ({
  id: row.id,
  name: row.name,
  creatorId: row.creator_id,
  createdAt: row.created_at,
})

/**
 * Groups a secret can be shared with (docs/surfaces/2-secrets-v1.md). The creator is a member from the start,
 * cannot be removed, and alone renames, deletes and changes the membership; members and the
 * creator may look at the group. Deleting a group ends every share made through it, and removing
 * a member ends what they could see through it, at once: access is computed from the current
 * rows on every request, never cached.
 */
export function createGroupService(deps: {
  transact: Transact
  clock: Clock
  audit: Pick<AuditLog, 'append'>
  /** GROUP_MAX_MEMBERS: most members one group may have. */
  maxMembers?: number
}) {
  const { transact, clock, audit } = deps
  const maxMembers = deps.maxMembers ?? VAULT_LIMITS.membersPerGroup

  const step = createAuditedStep(deps)

  /**
   * An audited step on one group, for its creator (or, when `need.role` is member, its members):
   * whoever else asks is refused with `need.denial`, and that is on the chain as `need.type`.
   */
  const onGroup = <T>(
    principal: Principal,
    groupId: number,
    need: GroupNeed,
    context: RequestContext,
    act: (trx: Kysely<Database>, group: GroupRow) => Promise<Outcome<Acted<T>>>,
  ): Promise<T> =>
    step(
      { type: need.type, principal, target: { type: 'vault-group', id: groupId }, context },
      async (trx) => {
        const group = await findGroup(trx, groupId)
        if (group === undefined) return refused(missing('group', groupId))
        const allowed =
          group.creator_id === principal.userId ||
          (need.role === 'member' && (await isMember(trx, groupId, principal.userId)))
        if (!allowed)
          return deny(denied(need.denial), {
            reason: need.role === 'creator' ? 'not-creator' : 'not-a-member',
          })
        return done(group)
      },
      act,
    )

  /** The creator is a member for as long as the group lives: neither removed nor leaving. */
  const creatorStays = (message: string): AppError =>
    new AppError('BAD_REQUEST', message, { subject: 'group.remove-creator' })

  /** A taken name surfaces from the unique index (which also settles races) as CONFLICT. */
  const nameConflict = (error: unknown): never => {
    if (isUniqueViolation(error)) throw clash('groupName')
    throw error
  }

  return {
    /** Creates a group whose creator is its first member. */
    async create(principal: Principal, name: string, context: RequestContext): Promise<GroupView> {
      return decide(transact, async (trx) => {
        if ((await countGroupsCreatedBy(trx, principal.userId)) >= VAULT_LIMITS.groupsPerCreator)
          return refused(clash('group-limit'))
        const now = clock.now().toISOString()
        const id = await insertGroup(trx, {
          name,
          nameKey: groupNameKey(name),
          creatorId: principal.userId,
          now,
        })
        await insertMember(trx, id, principal.userId, now)
        await recordVaultEvent(
          audit,
          trx,
          {
            type: 'vault.group.create',
            outcome: 'success',
            principal,
            target: { type: 'vault-group', id },
          },
          context,
        )
        return done({ id, name, creatorId: principal.userId, createdAt: now })
      }).catch(nameConflict)
    },

    /** The groups the caller belongs to (the web app's group list; Secrets v1 has none). */
    listMine(principal: Principal, context: RequestContext): Promise<GroupView[]> {
      return transact(async (trx) => {
        const rows = await listGroupsOfMember(trx, principal.userId, VAULT_LIMITS.groupsListed)
        await audit.append(trx, {
          type: 'vault.group.list',
          outcome: 'success',
          actorId: principal.userId,
          details: { count: rows.length },
          context,
        })
        return rows.map(toView)
      })
    },

    /** The group and its members; for its members (the creator included) only. */
    get(principal: Principal, groupId: number, context: RequestContext): Promise<GroupDetailView> {
      return onGroup(principal, groupId, NEEDS.read, context, async (trx, group) => {
        const members = await listMembers(trx, groupId, maxMembers)
        return acted({ ...toView(group), members })
      })
    },

    async rename(
      principal: Principal,
      groupId: number,
      name: string,
      context: RequestContext,
    ): Promise<void> {
      return onGroup(principal, groupId, NEEDS.rename, context, async (trx) => {
        const now = clock.now().toISOString()
        await renameGroup(trx, groupId, { name, nameKey: groupNameKey(name) }, now)
        return acted(undefined)
      }).catch(nameConflict)
    },

    /** Deletes the group, its memberships and every share made to it. */
    delete(principal: Principal, groupId: number, context: RequestContext): Promise<void> {
      return onGroup(principal, groupId, NEEDS.delete, context, async (trx) => {
        const members = await countMembers(trx, groupId)
        const shares = await countGroupGrants(trx, groupId)
        await deleteGroup(trx, groupId)
        return acted(undefined, { members, shares_ended: shares })
      })
    },

    addMember(
      principal: Principal,
      groupId: number,
      userId: number,
      context: RequestContext,
    ): Promise<void> {
      return onGroup(principal, groupId, NEEDS.addMember, context, async (trx) => {
        // An id nobody has is answered like one somebody has (and nothing is added): adding
        // people must not tell their adder which ids are accounts (docs/surfaces/2-secrets-v1.md).
        if (!(await userExists(trx, userId))) {
          const details = { user_id: userId, reason: 'no-such-user' }
          return done({ value: undefined, outcome: 'failure', details })
        }
        if (await isMember(trx, groupId, userId)) return refused(clash('member'))
        if ((await countMembers(trx, groupId)) >= maxMembers) return refused(clash('member-limit'))
        await insertMember(trx, groupId, userId, clock.now().toISOString())
        return acted(undefined, { user_id: userId })
      })
    },

    /** Removes a member; whatever they could see only through this group is gone at once. */
    removeMember(
      principal: Principal,
      groupId: number,
      userId: number,
      context: RequestContext,
    ): Promise<void> {
      return onGroup(principal, groupId, NEEDS.removeMember, context, async (trx, group) => {
        if (userId === group.creator_id)
          return refused(creatorStays('The creator cannot be removed'))
        if (!(await deleteMember(trx, groupId, userId))) return refused(missing('member', userId))
        return acted(undefined, { user_id: userId })
      })
    },

    /**
     * The caller leaves a group they are a member of, so nobody stays in a group they were put in
     * without asking. The creator cannot leave (they delete the group instead).
     */
    leave(principal: Principal, groupId: number, context: RequestContext): Promise<void> {
      return onGroup(principal, groupId, NEEDS.leave, context, async (trx, group) => {
        if (principal.userId === group.creator_id)
          return refused(creatorStays('The creator cannot leave'))
        await deleteMember(trx, groupId, principal.userId)
        return acted(undefined, { user_id: principal.userId, left: true })
      })
    },
  }
}
