import type { Kysely } from 'kysely'

import type { PasswordHasher } from '../../crypto/passwords.js'
import type { Database } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import { notFound, unauthorized } from '../../errors.js'
import type { AuditLog } from '../audit/audit-log.js'
import { invalidCredentials } from './account-errors.js'
import { countHoldings, deleteUser } from './deletion-repo.js'
import { emailKey } from './identity.js'
import type { LoginThrottle } from './login-throttle.js'
import { findUserById } from './users-repo.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'

export type DeletionService = ReturnType<typeof createDeletionService>

/**
 * An account deleting itself (`POST /v1/auth/delete`): the signed-in user confirms with their own
 * e-mail and password. Everything the account holds goes in one transaction, with one audit
 * event that counts what went; the audit history before it stays, so the chain still verifies.
 */
export function createDeletionService(deps: {
  db: Kysely<Database>
  transact: Transact
  passwords: PasswordHasher
  throttle: LoginThrottle
  audit: Pick<AuditLog, 'append' | 'record'>
}) {
  const { db, transact, passwords, throttle, audit } = deps
  return {
    async deleteSelf(
      principal: Principal,
      credentials: { email: string; password: string },
      context: RequestContext,
    ): Promise<void> {
      const refused = (
        outcome: 'denied' | 'failure',
        reason: 'not-own-email' | 'wrong-password',
      ): Promise<void> =>
        audit.record({
          type: 'user.delete',
          outcome,
          actorId: principal.userId,
          details: { reason },
          context,
        })
      // An e-mail other than the caller's own is answered without looking it up: this route
      // must not tell a signed-in user which other e-mails have accounts.
      if (principal.email === null || emailKey(credentials.email) !== emailKey(principal.email)) {
        await refused('denied', 'not-own-email')
        throw notFound('user')
      }
      const keys = throttle.keysFor(`user:${principal.userId}`, context.clientIp)
      // Reserved before the password is judged, as a login is: a burst gets at most the limit.
      const attempt = await throttle.reserve(keys)
      const user = await findUserById(db, principal.userId)
      if (user === undefined) throw unauthorized('user-gone')
      if (!(await passwords.verify(user.password_hash, credentials.password))) {
        await refused('failure', 'wrong-password')
        throw invalidCredentials()
      }
      await throttle.recordSuccess(attempt)
      await transact(async (trx) => {
        const holdings = await countHoldings(trx, user.id)
        if (!(await deleteUser(trx, user.id))) throw unauthorized('user-gone')
        await audit.append(trx, {
          type: 'user.delete',
          outcome: 'success',
          actorId: user.id,
          target: { type: 'user', id: user.id },
          details: { ...holdings },
          context,
        })
      })
    },
  }
}
