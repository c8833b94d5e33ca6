import type { Kysely } from 'kysely'

import type { Clock } from '../../clock.js'
import type { Envelope } from '../../crypto/envelope.js'
import type { PasswordHasher } from '../../crypto/passwords.js'
import { TokenError } from '../../crypto/tokens.js'
import type { TokenService } from '../../crypto/tokens.js'
import { isUniqueViolation } from '../../db/errors.js'
import type { Database, Role } from '../../db/schema.js'
import type { Transact } from '../../db/transaction.js'
import { AppError, conflict, invalidInput, notFound, unauthorized } from '../../errors.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AuditDetails, AuditOutcome } from '../audit/types.js'
import { invalidCredentials } from './account-errors.js'
import { findClaimedKeys, insertClaims } from './claims-repo.js'
import { emailKey, identifierClaims, usernameKey } from './identity.js'
import type { IdentifierClaim, LoginKind } from './identity.js'
import { enforceUsername } from './username-profile.js'
import type { LoginThrottle } from './login-throttle.js'
import { deleteClosedCounters } from '../../limits/sql-counter-store.js'
import { deleteExpiredAccountTokens } from './account-tokens-repo.js'
import { deleteExpiredRevocations, findAuthState, insertRevokedToken } from './tokens-repo.js'
import {
  findUserByEmailKey,
  findUserById,
  findUserByUsernameKey,
  insertUser,
  updateUserContact,
  updateUserPassword,
  updateUserRole,
} from './users-repo.js'
import type { UserRow } from './users-repo.js'
import { toUserView } from './views.js'
import type { UserView } from './views.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'

export interface RegisterInput {
  email?: string
  username?: string
  password: string
  phone?: string
  address?: string
}

export interface LoginInput {
  kind: LoginKind
  login: string
  password: string
}

/**
 * How an operator names an account; `any` (or a plain string) is a bare word, tried as username
 * and as e-mail.
 */
export interface AccountSelector {
  by: 'email' | 'username' | 'id' | 'any'
  value: string
}

export interface LoginResult {
  token: string
  expiresAt: Date
  user: UserView
}

export type AccountService = ReturnType<typeof createAccountService>

/** A username the identifier profile refuses (username-profile.ts): a validation failure. */
const invalidUsername = (): AppError =>
  invalidInput('username', 'format', 'Username contains characters that are not allowed')

export function createAccountService(deps: {
  db: Kysely<Database>
  transact: Transact
  clock: Clock
  passwords: PasswordHasher
  tokens: TokenService
  throttle: LoginThrottle
  audit: Pick<AuditLog, 'append' | 'record'>
  envelope: Pick<Envelope, 'seal'>
}) {
  const { db, transact, clock, passwords, tokens, throttle, audit, envelope } = deps

  const findByLogin = (kind: LoginKind, login: string): Promise<UserRow | undefined> =>
    kind === 'email'
      ? findUserByEmailKey(db, emailKey(login))
      : findUserByUsernameKey(db, usernameKey(login))

  /**
   * The operator's way to name a user (CLI): by e-mail, username or id, or a bare word that may
   * be either of the first two. A bare word that names two accounts (possible only for accounts
   * that collided before identifier claims) is refused, never guessed. NOT_FOUND when none.
   */
  const findBySelector = async (selector: AccountSelector | string): Promise<UserRow> => {
    const { by, value } = typeof selector === 'string' ? { by: 'any', value: selector } : selector
    let user: UserRow | undefined
    if (by === 'id') {
      user = /^[1-9]\d{0,15}$/.test(value) ? await findUserById(db, Number(value)) : undefined
    } else if (by === 'email' || by === 'username') {
      user = await findByLogin(by, value)
    } else {
      const byUsername = await findByLogin('username', value)
      const byEmail = await findByLogin('email', value)
      if (byUsername !== undefined && byEmail !== undefined && byUsername.id !== byEmail.id) {
        throw new AppError('CONFLICT', 'Ambiguous account', { subject: 'ambiguous-account' })
      }
      user = byUsername ?? byEmail
    }
    if (user === undefined) throw notFound('user')
    return user
  }

  /**
   * An operator's change to one account (the CLI's commands): the write and its audit event, with
   * no actor, in one transaction.
   */
  const changeByOperator = (
    user: UserRow,
    type: 'user.password' | 'user.role',
    details: AuditDetails | undefined,
    context: RequestContext,
    write: (trx: Kysely<Database>, now: string) => Promise<void>,
  ): Promise<void> =>
    transact(async (trx) => {
      await write(trx, clock.now().toISOString())
      await audit.append(trx, {
        type,
        outcome: 'success',
        actorId: null,
        target: { type: 'user', id: user.id },
        ...(details === undefined ? {} : { details }),
        context,
      })
    })

  /** The field whose identifier another account already holds, e-mail first; none when free. */
  const claimedField = async (claims: readonly IdentifierClaim[]) => {
    const taken = await findClaimedKeys(
      db,
      claims.map((claim) => claim.key),
    )
    return (
      claims.find((claim) => claim.field === 'email' && taken.has(claim.key)) ??
      claims.find((claim) => taken.has(claim.key))
    )?.field
  }

  return {
    /** Creates a user; CONFLICT names the field (`email` or `username`) that is already used. */
    async register(input: RegisterInput, context: RequestContext): Promise<UserView> {
      if (input.username !== undefined && !enforceUsername(input.username).ok) {
        throw invalidUsername()
      }
      const claims = identifierClaims({
        email: input.email ?? null,
        username: input.username ?? null,
      })
      // Checked before hashing so a duplicate costs no argon2 time; the claims' primary key
      // still decides races below.
      const field = await claimedField(claims)
      if (field !== undefined) throw conflict(field)

      const passwordHash = await passwords.hash(input.password)
      const now = clock.now().toISOString()
      try {
        return await transact(async (trx) => {
          const id = await insertUser(trx, {
            username: input.username ?? null,
            username_key: input.username === undefined ? null : usernameKey(input.username),
            email: input.email ?? null,
            email_key: input.email === undefined ? null : emailKey(input.email),
            role: 'user',
            password_hash: passwordHash,
            token_version: 0,
            created_at: now,
            updated_at: now,
          })
          await insertClaims(
            trx,
            id,
            claims.map((claim) => claim.key),
          )
          // Sealed after the insert: the AAD binds each value to this user's id.
          if (input.phone !== undefined || input.address !== undefined) {
            await updateUserContact(trx, id, {
              phone_sealed: sealOptional(envelope, input.phone, `user-phone:${id}`),
              address_sealed: sealOptional(envelope, input.address, `user-address:${id}`),
            })
          }
          await audit.append(trx, {
            type: 'user.register',
            outcome: 'success',
            actorId: id,
            target: { type: 'user', id },
            context,
          })
          return {
            id,
            username: input.username ?? null,
            email: input.email ?? null,
            role: 'user' as Role,
            createdAt: now,
          }
        })
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict((await claimedField(claims)) ?? 'email')
        throw error
      }
    },

    /**
     * Checks a password and issues a token. Unknown logins spend the same argon2 time as known
     * ones. The attempt is counted towards the account's and the address's throttle before the
     * password is judged (login-throttle.ts), so concurrent guesses cannot all pass the check.
     */
    async login(input: LoginInput, context: RequestContext): Promise<LoginResult> {
      const user = await findByLogin(input.kind, input.login)
      const keys = throttle.keysFor(
        user === undefined
          ? `${input.kind}:${input.kind === 'email' ? emailKey(input.login) : usernameKey(input.login)}`
          : `user:${user.id}`,
        context.clientIp,
      )
      const recordLogin = (outcome: AuditOutcome, details: AuditDetails): Promise<void> =>
        audit.record({ type: 'auth.login', outcome, actorId: user?.id ?? null, details, context })
      let attempt
      try {
        attempt = await throttle.reserve(keys)
      } catch (error) {
        await recordLogin('denied', { reason: 'throttled' })
        throw error
      }

      const valid =
        user === undefined
          ? await passwords.verifyDummy(input.password)
          : await passwords.verify(user.password_hash, input.password)
      if (user === undefined || !valid) {
        // The reservation already counted this failure.
        await recordLogin('failure', { via: input.kind })
        throw invalidCredentials()
      }

      await throttle.recordSuccess(attempt)
      const issued = await tokens.issue(user.id, user.token_version)
      await recordLogin('success', { via: input.kind })
      return { token: issued.token, expiresAt: issued.expiresAt, user: toUserView(user) }
    },

    /** Kills the caller's token on every surface and every node from now on. */
    async logout(principal: Principal, context: RequestContext): Promise<void> {
      await transact(async (trx) => {
        await insertRevokedToken(trx, principal.jti, principal.tokenExpiresAt.toISOString())
        await audit.append(trx, {
          type: 'auth.logout',
          outcome: 'success',
          actorId: principal.userId,
          context,
        })
      })
    },

    /**
     * Turns a bearer token into the caller, or throws UNAUTHORIZED with the reason (missing,
     * malformed, invalid, expired, revoked, user-gone) for surfaces that word them differently.
     */
    async authenticate(token: string | undefined): Promise<Principal> {
      if (token === undefined || token === '') throw unauthorized('missing')
      let claims
      try {
        claims = await tokens.verify(token)
      } catch (error) {
        if (error instanceof TokenError) throw unauthorized(error.failure)
        throw error
      }
      const state = await findAuthState(db, claims.userId, claims.jti)
      if (state === undefined) throw unauthorized('user-gone')
      if (state.revoked || state.token_version !== claims.tokenVersion)
        throw unauthorized('revoked')
      return {
        userId: state.id,
        username: state.username,
        email: state.email,
        role: state.role,
        jti: claims.jti,
        tokenExpiresAt: new Date(claims.expiresAt * 1000),
      }
    },

    /**
     * Sets a new password (the `strongroom user set-password` command). Every token issued before
     * dies at once, on every node: tokens carry the user's token version, which this bumps.
     */
    async setPassword(
      selector: AccountSelector | string,
      password: string,
      context: RequestContext,
    ): Promise<UserView> {
      const user = await findBySelector(selector)
      const passwordHash = await passwords.hash(password)
      await changeByOperator(user, 'user.password', undefined, context, (trx, now) =>
        updateUserPassword(trx, user.id, passwordHash, now),
      )
      return toUserView(user)
    },

    /**
     * Forgets what can no longer matter: revocations of tokens that have expired anyway and
     * throttle windows that have closed. Correctness never depends on it running.
     */
    async sweep(): Promise<{ revocations: number; counters: number; accountTokens: number }> {
      const now = clock.now().toISOString()
      return {
        revocations: await deleteExpiredRevocations(db, now),
        counters: await deleteClosedCounters(db, now),
        accountTokens: await deleteExpiredAccountTokens(db, now),
      }
    },

    /** Grants or revokes the admin role (the `strongroom admin` command). */
    async setRole(
      selector: AccountSelector | string,
      role: Role,
      context: RequestContext,
    ): Promise<UserView> {
      const user = await findBySelector(selector)
      await changeByOperator(user, 'user.role', { role }, context, (trx, now) =>
        updateUserRole(trx, user.id, role, now),
      )
      return { ...toUserView(user), role }
    },
  }
}

function sealOptional(
  envelope: Pick<Envelope, 'seal'>,
  value: string | undefined,
  aad: string,
): Buffer | null {
  return value === undefined ? null : envelope.seal(Buffer.from(value, 'utf8'), aad)
}
