import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import type { TSchema } from 'typebox'

import type { RateLimit } from '../../config.js'
import type { Principal } from '../../domain/accounts/views.js'
import type { RequestContext } from '../../domain/audit/types.js'
import { principalOf, requireAuth } from '../../http/authenticate.js'
import { installDialect } from '../../http/dialect.js'
import { answerMethodNotAllowed } from '../../http/method-not-allowed.js'
import { contextOf } from '../../http/request-context.js'
import type { Services } from '../../services.js'
import { renderLock } from './dialect.js'
import { renderPreTable } from './html-table.js'
import {
  HtmlPage,
  LoginBody,
  MsgResponse,
  RateLimitedResponse,
  RegisterBody,
  TokenResponse,
  UnlockBody,
  UnlockLogJson,
  UserDirectoryJson,
} from './schemas.js'

export interface LockSurfaceOptions {
  services: Pick<Services, 'accounts' | 'lock' | 'rateLimiter'>
  /** Mount point without a trailing slash; `''` mounts at the root. */
  prefix: string
  rateLimits: readonly RateLimit[]
  debugViews: boolean
}

const TAGS = ['Lock (/lock)']
const BEARER = [{ bearer: [] }]
const LIMITED = ['/register', '/login', '/logUnlocking'] as const

/** Surface 3 (CONTRACTS.md §3, seeds/002_81866212f198e4e9.md), under LOCK_PREFIX. */
export const lockSurface: FastifyPluginAsyncTypebox<LockSurfaceOptions> = async (
  scope,
  { services, prefix, rateLimits, debugViews },
) => {
  // A prefixed scope answers its own unknown paths; at `/` the root's 404 stands.
  installDialect(scope, renderLock, { notFound: prefix !== '' })
  const { accounts, lock } = services
  const authenticated = requireAuth((token) => accounts.authenticate(token))

  // One counter per route and client address, for every method, checked before the body is
  // read or the token looked at (flask-limiter's order).
  const limiter = services.rateLimiter(rateLimits)
  const limited = new Set<string>(LIMITED.map((path) => `${prefix}${path}`))
  scope.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url
    if (route !== undefined && limited.has(route)) await limiter.hit(`lock:${route}:${request.ip}`)
  })

  scope.post(
    '/register',
    {
      schema: {
        tags: TAGS,
        summary: 'Register with username, password, phone and address (e-mail optional)',
        body: RegisterBody,
        response: { 200: MsgResponse, 400: MsgResponse, 429: RateLimitedResponse },
      },
    },
    async (request) => {
      const { username, password, phone, address, email } = request.body
      await accounts.register(
        { username, password, phone, address, ...(email === undefined ? {} : { email }) },
        contextOf(request),
      )
      return { msg: 'User registered successfully' }
    },
  )

  scope.post(
    '/login',
    {
      schema: {
        tags: TAGS,
        summary: 'Log in by username; returns an access token',
        body: LoginBody,
        response: {
          200: TokenResponse,
          400: MsgResponse,
          401: MsgResponse,
          429: RateLimitedResponse,
        },
      },
    },
    async (request) => {
      const { token } = await accounts.login(
        { kind: 'username', login: request.body.username, password: request.body.password },
        contextOf(request),
      )
      return { access_token: token }
    },
  )

  scope.post(
    '/logUnlocking',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'Record how the caller unlocked the lock (an audit event)',
        security: BEARER,
        body: UnlockBody,
        response: {
          200: MsgResponse,
          400: MsgResponse,
          401: MsgResponse,
          422: MsgResponse,
          429: RateLimitedResponse,
        },
      },
    },
    async (request) => {
      await lock.logUnlock(
        principalOf(request),
        request.body['unlocking-method'],
        contextOf(request),
      )
      return { msg: 'Unlocking process logged successfully' }
    },
  )

  for (const path of LIMITED) answerMethodNotAllowed(scope, path, ['POST'])
  if (!debugViews) return

  // Debug views (LOCK_DEBUG_VIEWS=true): administrators only; GET is a page for a browser, POST
  // the same rows as JSON keyed by id. Never a password hash: the service does not read it.
  const debugView = <Row extends { id: number }>(
    path: string,
    title: string,
    rows: (viewer: Principal, context: RequestContext) => Promise<Row[]>,
    json: TSchema,
  ): void => {
    const schema = { tags: TAGS, security: BEARER, summary: `${title} (debug view, admins only)` }
    scope.get(
      path,
      { preValidation: authenticated, schema: { ...schema, response: { 200: HtmlPage } } },
      async (request, reply) => {
        const records = await rows(principalOf(request), contextOf(request))
        return reply.type('text/html; charset=utf-8').send(renderPreTable(title, records))
      },
    )
    scope.post(
      path,
      { preValidation: authenticated, schema: { ...schema, response: { 200: json } } },
      async (request) => {
        const records = await rows(principalOf(request), contextOf(request))
        return Object.fromEntries(records.map((record) => [String(record.id), record]))
      },
    )
    answerMethodNotAllowed(scope, path, ['GET', 'POST'])
  }
  debugView('/getLogs', 'Unlock log', (v, c) => lock.unlockLog(v, c), UnlockLogJson)
  debugView('/getUsers', 'Users', (v, c) => lock.userDirectory(v, c), UserDirectoryJson)
}
