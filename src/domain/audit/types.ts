import type { RequestContext } from '../request-context.js'

export type AuditOutcome = 'success' | 'failure' | 'denied'

/** Every kind of event Strongroom records. Adding a kind is adding a line here. */
export type AuditType =
  | 'user.register'
  | 'auth.login'
  | 'auth.logout'
  | 'user.role'
  | 'user.password'
  /** Someone asked for a password-reset mail (the e-mail asked for is never recorded). */
  | 'user.password-reset'
  | 'user.activate'
  /** An account deleted itself, with what went with it; earlier events keep its id. */
  | 'user.delete'
  | 'personal-secret.set'
  | 'personal-secret.read'
  | 'lock.unlock'
  | 'admin.view'
  | 'audit.view'
  | 'audit.export'
  | 'one-time.create'
  | 'one-time.read'
  | 'one-time.delete'
  /** A wrong passphrase: spends one of the secret's attempts. */
  | 'one-time.passphrase'
  /** The attempt budget is spent: the secret is destroyed unread. */
  | 'one-time.destroy'
  /** Found expired (by a read or by the sweeper) and removed unread. */
  | 'one-time.expire'
  /** Someone listed one-time events (`GET /api/event`). */
  | 'one-time.events'
  | 'user.lookup'
  | 'vault.secret.create'
  | 'vault.secret.read'
  | 'vault.secret.list'
  | 'vault.secret.update'
  | 'vault.secret.delete'
  /** Secret versions (beside the documented API): list, read one, roll back to one. */
  | 'vault.secret.version.list'
  | 'vault.secret.version.read'
  | 'vault.secret.rollback'
  | 'vault.share.grant'
  | 'vault.share.change'
  | 'vault.share.revoke'
  /** The web app listed a secret's current grants (for its owner, to manage them). */
  | 'vault.share.list'
  | 'vault.group.create'
  | 'vault.group.read'
  /** The web app listed the groups a user belongs to. */
  | 'vault.group.list'
  | 'vault.group.rename'
  | 'vault.group.delete'
  | 'vault.group.member.add'
  | 'vault.group.member.remove'
  /** A new data-key version now seals new values (`strongroom keys rotate`). */
  | 'keys.rotate'
  /** A data-key version no ciphertext uses was retired and its key destroyed. */
  | 'keys.retire'
  /** The keyring was re-wrapped under a new root (`strongroom keys rewrap`). */
  | 'keys.rewrap'

/**
 * Facts about an event. Values are scalars so a secret can't hide in a nested blob; callers pass
 * ids, names of permissions, counts — never a secret value, password, passphrase or token.
 */
export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>

export interface AuditEvent {
  type: AuditType
  outcome: AuditOutcome
  actorId: number | null
  target?: { type: string; id: string | number }
  details?: AuditDetails
  context: RequestContext
}

/** A context for actions no HTTP client asked for (the CLI, the sweeper). */
export const systemContext = (agent: string): RequestContext => ({ clientIp: '', userAgent: agent })
