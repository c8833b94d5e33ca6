import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import { notFound, unauthorized } from '../../errors.js'
import type { AuditLog } from '../audit/audit-log.js'
import { emailKey } from './identity.js'
import { findUserByEmailKey, findUserById } from './users-repo.js'
import { toUserView } from './views.js'
import type { UserView } from './views.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'

export type UserDirectory = ReturnType<typeof createUserDirectory>

/**
 * How a signed-in user learns user ids to share with (docs/surfaces/2-secrets-v1.md "User lookup"): themselves,
 * or one other user by their exact e-mail (case-insensitive, as e-mails are unique that way). No
 * prefix search and no listing, so the directory cannot be walked; every lookup by e-mail is an
 * audit event (the e-mail asked for is not recorded), and the surface rate-limits it.
 */
export function createUserDirectory(deps: {
  db: Kysely<Database>
  audit: Pick<AuditLog, 'record'>
}) {
  const { db, audit } = deps
  return {
    /** The caller's own record; a token whose user is gone is refused like a bad token. */
    async me(principal: Principal): Promise<UserView> {
      const user = await findUserById(db, principal.userId)
      if (user === undefined) throw unauthorized('user-gone')
      return toUserView(user)
    },

    async findByEmail(
      principal: Principal,
      email: string,
      context: RequestContext,
    ): Promise<UserView> {
      const user = await findUserByEmailKey(db, emailKey(email))
      await audit.record({
        type: 'user.lookup',
        outcome: user === undefined ? 'failure' : 'success',
        actorId: principal.userId,
        ...(user === undefined ? {} : { target: { type: 'user', id: user.id } }),
        details: { by: 'email' },
        context,
      })
      if (user === undefined) throw notFound('user')
      return toUserView(user)
    },
  }
}
