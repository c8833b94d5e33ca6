import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import { isUniqueViolation } from '../../db/errors.js'
import type { Database } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import { AppError } from '../../errors.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AuditEvent } from '../audit/types.js'
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
import { decide, done, refused } from './outcome.js'
import { recordVaultEvent } from './vault-events.js'
import type { VaultEvent } from './vault-events.js'
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

  /** Every group event names the caller as actor and the group as target. */
  const recordGroupEvent = (
    trx: Kysely<Database>,
    event: Omit<VaultEvent, 'target'> & { groupId: number },
    context: RequestContext,
  ): Promise<void> => {
    const { groupId, ...rest } = event
    return recordVaultEvent(
      audit,
      trx,
      { ...rest, target: { type: 'vault-group', id: groupId } },
      context,
    )
  }

  /** Finds the group and checks the caller is its creator (or, for reads, a member). */
  const authorize = async (
    trx: Kysely<Database>,
    principal: Principal,
    groupId: number,
    need: { role: 'creator' | 'member'; denial: VaultDenial; type: AuditEvent['type'] },
    context: RequestContext,
  ): Promise<Outcome<GroupRow>> => {
    const group = await findGroup(trx, groupId)
    if (group === undefined) return refused(missing('group', groupId))
    const allowed =
      group.creator_id === principal.userId ||
      (need.role === 'member' && (await isMember(trx, groupId, principal.userId)))
    if (!allowed) {
      await recordGroupEvent(
        trx,
        {
          type: need.type,
          outcome: 'denied',
          principal,
          groupId,
          details: { reason: need.role === 'creator' ? 'not-creator' : 'not-a-member' },
        },
        context,
      )
      return refused(denied(need.denial))
    }
    return done(group)
  }

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
        await recordGroupEvent(
          trx,
          { type: 'vault.group.create', outcome: 'success', principal, groupId: id },
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
      return decide(transact, async (trx) => {
        const allowed = await authorize(
          trx,
          principal,
          groupId,
          { role: 'member', denial: 'group.read', type: 'vault.group.read' },
          context,
        )
        if (!allowed.ok) return allowed
        const members = await listMembers(trx, groupId, maxMembers)
        await recordGroupEvent(
          trx,
          { type: 'vault.group.read', outcome: 'success', principal, groupId },
          context,
        )
        return done({ ...toView(allowed.value), members })
      })
    },

    async rename(
      principal: Principal,
      groupId: number,
      name: string,
      context: RequestContext,
    ): Promise<void> {
      return decide(transact, async (trx) => {
        const allowed = await authorize(
          trx,
          principal,
          groupId,
          { role: 'creator', denial: 'group.update', type: 'vault.group.rename' },
          context,
        )
        if (!allowed.ok) return allowed
        await renameGroup(
          trx,
          groupId,
          { name, nameKey: groupNameKey(name) },
          clock.now().toISOString(),
        )
        await recordGroupEvent(
          trx,
          { type: 'vault.group.rename', outcome: 'success', principal, groupId },
          context,
        )
        return done(undefined)
      }).catch(nameConflict)
    },

    /** Deletes the group, its memberships and every share made to it. */
    delete(principal: Principal, groupId: number, context: RequestContext): Promise<void> {
      return decide(transact, async (trx) => {
        const allowed = await authorize(
          trx,
          principal,
          groupId,
          { role: 'creator', denial: 'group.delete', type: 'vault.group.delete' },
          context,
        )
        if (!allowed.ok) return allowed
        const members = await countMembers(trx, groupId)
        const shares = await countGroupGrants(trx, groupId)
        await deleteGroup(trx, groupId)
        await recordGroupEvent(
          trx,
          {
            type: 'vault.group.delete',
            outcome: 'success',
            principal,
            groupId,
            details: { members, shares_ended: shares },
          },
          context,
        )
        return done(undefined)
      })
    },

    addMember(
      principal: Principal,
      groupId: number,
      userId: number,
      context: RequestContext,
    ): Promise<void> {
      return decide(transact, async (trx) => {
        const allowed = await authorize(
          trx,
          principal,
          groupId,
          { role: 'creator', denial: 'group.add-member', type: 'vault.group.member.add' },
          context,
        )
        if (!allowed.ok) return allowed
        // An id nobody has is answered like one somebody has (and nothing is added): adding
        // people must not tell their adder which ids are accounts (docs/surfaces/2-secrets-v1.md).
        if (!(await userExists(trx, userId))) {
          await audit.append(trx, {
            type: 'vault.group.member.add',
            outcome: 'failure',
            actorId: principal.userId,
            target: { type: 'vault-group', id: groupId },
            details: { user_id: userId, reason: 'no-such-user' },
            context,
          })
          return done(undefined)
        }
        if (await isMember(trx, groupId, userId)) return refused(clash('member'))
        if ((await countMembers(trx, groupId)) >= maxMembers) return refused(clash('member-limit'))
        await insertMember(trx, groupId, userId, clock.now().toISOString())
        await recordGroupEvent(
          trx,
          {
            type: 'vault.group.member.add',
            outcome: 'success',
            principal,
            groupId,
            details: { user_id: userId },
          },
          context,
        )
        return done(undefined)
      })
    },

    /** Removes a member; whatever they could see only through this group is gone at once. */
    removeMember(
      principal: Principal,
      groupId: number,
      userId: number,
      context: RequestContext,
    ): Promise<void> {
      return decide(transact, async (trx) => {
        const allowed = await authorize(
          trx,
          principal,
          groupId,
          { role: 'creator', denial: 'group.remove-member', type: 'vault.group.member.remove' },
          context,
        )
        if (!allowed.ok) return allowed
        if (userId === allowed.value.creator_id)
          return refused(
            new AppError('BAD_REQUEST', 'The creator cannot be removed', {
              subject: 'group.remove-creator',
            }),
          )
        if (!(await deleteMember(trx, groupId, userId))) return refused(missing('member', userId))
        await recordGroupEvent(
          trx,
          {
            type: 'vault.group.member.remove',
            outcome: 'success',
            principal,
            groupId,
            details: { user_id: userId },
          },
          context,
        )
        return done(undefined)
      })
    },

    /**
     * The caller leaves a group they are a member of, so nobody stays in a group they were put in
     * without asking. The creator cannot leave (they delete the group instead).
     */
    leave(principal: Principal, groupId: number, context: RequestContext): Promise<void> {
      return decide(transact, async (trx) => {
        const allowed = await authorize(
          trx,
          principal,
          groupId,
          { role: 'member', denial: 'group.read', type: 'vault.group.member.remove' },
          context,
        )
        if (!allowed.ok) return allowed
        if (principal.userId === allowed.value.creator_id)
          return refused(
            new AppError('BAD_REQUEST', 'The creator cannot leave', {
              subject: 'group.remove-creator',
            }),
          )
        await deleteMember(trx, groupId, principal.userId)
        await recordGroupEvent(
          trx,
          {
            type: 'vault.group.member.remove',
            outcome: 'success',
            principal,
            groupId,
            details: { user_id: principal.userId, left: true },
          },
          context,
        )
        return done(undefined)
      })
    },
  }
}
