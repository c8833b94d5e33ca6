import { contextOf } from '../http/request-context.js'
import { toGroupJson } from '../surfaces/common/groups.js'
import { logInByEmail } from '../surfaces/common/login.js'
import { forbidden, isAppError } from '../errors.js'
import type { WebAppScope, WebAppServices } from './context.js'
import { LoginBody, SharesBody, VaultCallBody } from './schemas.js'
import { sessionPrincipal } from './session.js'
import { clearSessionCookie, setSessionCookie } from './session-cookie.js'
import { callVault } from './vault-proxy.js'

/**
 * Signing in and out of the web app, and its calls to the vault and audit APIs. Login is the
 * accounts service's login (same throttle, same audit event); the token it issues goes into the
 * HttpOnly cookie and never into a response body. Logout revokes that token in the store, so the
 * session ends on every node and for every copy of the cookie.
 */
export function registerSessionRoutes(scope: WebAppScope, services: WebAppServices): void {
  const { accounts, directory, groups, sharing, audit } = services

  scope.post(
    '/session/login',
    { schema: { hide: true, body: LoginBody } },
    async (request, reply) => {
      const { token, user } = await logInByEmail(accounts, request.body, request)
      setSessionCookie(request, reply, token)
      return { user: { id: user.id, email: user.email, username: user.username, role: user.role } }
    },
  )

  /**
   * Who is signed in: `{"user": null}` without a live session. A page asks this on every load,
   * so "not signed in" is an answer here, not an error (a 401 would be logged by the browser).
   */
  scope.post('/session/me', { schema: { hide: true } }, async (request) => {
    let principal
    try {
      principal = await sessionPrincipal(accounts, request)
    } catch (error) {
      if (isAppError(error) && error.code === 'UNAUTHORIZED') return { user: null }
      throw error
    }
    const user = await directory.me(principal)
    return { user: { id: user.id, email: user.email, username: user.username, role: user.role } }
  })

  scope.post('/session/logout', { schema: { hide: true } }, async (request, reply) => {
    try {
      await accounts.logout(await sessionPrincipal(accounts, request), contextOf(request))
    } catch (error) {
      // No session, or one already revoked elsewhere: the cookie goes all the same.
      if (!isAppError(error) || error.code !== 'UNAUTHORIZED') throw error
    }
    clearSessionCookie(request, reply)
    return reply.code(204).send()
  })

  scope.post('/v1', { schema: { hide: true, body: VaultCallBody } }, async (request, reply) => {
    const { status, body, retryAfter } = await callVault(scope, request, request.body)
    if (retryAfter !== undefined) void reply.header('Retry-After', retryAfter)
    return reply.code(status).send(body)
  })

  /** The caller's groups: Secrets v1 can show one group, but has no list of them. */
  scope.post('/groups/mine', { schema: { hide: true } }, async (request) => {
    const principal = await sessionPrincipal(accounts, request)
    const mine = await groups.listMine(principal, contextOf(request))
    return { groups: mine.map(toGroupJson) }
  })

  /**
   * A secret's current shares, for its owner: Secrets v1 can grant and revoke, but cannot show
   * who holds a grant, and a person cannot manage what they cannot see.
   */
  scope.post('/secrets/shares', { schema: { hide: true, body: SharesBody } }, async (request) => {
    const principal = await sessionPrincipal(accounts, request)
    const grants = await sharing.listGrants(principal, request.body.secret_id, contextOf(request))
    return {
      shares: grants.map((grant) => ({
        kind: grant.kind,
        id: grant.id,
        name: grant.label,
        permission: grant.permission,
        updated_at: grant.updated_at,
      })),
    }
  })

  /** The audit log's verification status; administrators only (it walks the whole log). */
  scope.post('/audit/verify', { schema: { hide: true } }, async (request) => {
    const principal = await sessionPrincipal(accounts, request)
    if (principal.role !== 'admin') throw forbidden('admin')
    const result = await audit.verify()
    return {
      ok: result.ok,
      checked: result.checked,
      signed_size: result.signedSize,
      checkpoints: result.checkpointsVerified,
      unsealed: result.unsealed,
      ...(result.firstBreak === undefined ? {} : { first_break: result.firstBreak }),
    }
  })
}
