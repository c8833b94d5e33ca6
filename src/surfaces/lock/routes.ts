import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import type { FastifyRequest } from 'fastify'
import type { Static, TSchema } from 'typebox'

import type { RateLimit } from '../../config.js'
import { principalOf, requireAuth } from '../../http/authenticate.js'
import { installDialect } from '../../http/dialect.js'
import { getJsonBody } from '../../http/get-json-body.js'
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
import type { Principal } from '../../domain/principal.js'
import type { RequestContext } from '../../domain/request-context.js'

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

/** Surface 3 (docs/surfaces/3-lock.md), under LOCK_PREFIX. */
export const lockSurface: FastifyPluginAsyncTypebox<LockSurfaceOptions> = async (
  scope,
  { services, prefix, rateLimits, debugViews },
) => {
  // A prefixed scope answers its own unknown paths; at `/` the root's 404 stands.
  installDialect(scope, renderLock, { notFound: prefix !== '' })
  answerMethodNotAllowed(scope)
  const { accounts, lock } = services
  const authenticated = requireAuth((token) => accounts.authenticate(token))

  // One counter per route and client (client-key.ts: an IPv6 network counts as one), for every
  // method, checked before the body is read or the token looked at (flask-limiter's order).
  const limiter = services.rateLimiter(rateLimits)
  const limited = new Set<string>(LIMITED.map((path) => `${prefix}${path}`))
  scope.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url
    if (route !== undefined && limited.has(route))
      await limiter.hitClient(`lock:${route}`, request.ip)
  })

  /**
   * The original's Flask routes took GET as well as POST, both with a JSON body; GET reads its
   * body through the same guards (size, depth, prototype keys) as every other body.
   */
  const getOrPost = (
    path: string,
    summary: string,
    body: TSchema,
    response: Record<number, TSchema>,
    handler: (request: FastifyRequest) => Promise<unknown>,
  ): void => {
    const getBody = getJsonBody(scope, `${prefix}${path}`, body)
    scope.post(path, { schema: { tags: TAGS, summary, body, response } }, handler)
    scope.get(
      path,
      {
        preParsing: getBody.read,
        preValidation: getBody.validate,
        schema: {
          tags: TAGS,
          summary: `${summary} (GET with the same JSON body, as the original)`,
          response,
        },
      },
      handler,
    )
  }

  getOrPost(
    '/register',
    'Register with username, password, phone and address (e-mail optional)',
    RegisterBody,
    { 200: MsgResponse, 400: MsgResponse, 429: RateLimitedResponse },
    async (request) => {
      const { username, password, phone, address, email } = request.body as Static<
        typeof RegisterBody
      >
      await lock.register(
        { username, password, phone, address, ...(email === undefined ? {} : { email }) },
        contextOf(request),
      )
      return { msg: 'User registered successfully' }
    },
  )

  getOrPost(
    '/login',
    'Log in by username; returns an access token',
    LoginBody,
    { 200: TokenResponse, 400: MsgResponse, 401: MsgResponse, 429: RateLimitedResponse },
    async (request) => {
      const { username, password } = request.body as Static<typeof LoginBody>
      const { token } = await accounts.login(
        { kind: 'username', login: username, password },
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

  if (!debugViews) return

  // Debug views (LOCK_DEBUG_VIEWS=true): administrators only; GET is a page for a browser, POST
  // the same rows as JSON keyed by id. Never a password hash: the service does not read it.
  const debugView = <Row extends { id: number }>(
    path: string,
    title: string,
    headers: readonly (readonly [string, string])[],
    rows: (viewer: Principal, context: RequestContext) => Promise<Row[]>,
    json: TSchema,
  ): void => {
    const schema = { tags: TAGS, security: BEARER, summary: `${title} (debug view, admins only)` }
    scope.get(
      path,
      { preValidation: authenticated, schema: { ...schema, response: { 200: HtmlPage } } },
      async (request, reply) => {
        const records = await rows(principalOf(request), contextOf(request))
        return reply.type('text/html; charset=utf-8').send(renderPreTable(title, headers, records))
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
  }
  // The original's column headers, word for word (docs/surfaces/3-lock.md).
  const LOG_COLUMNS = [
    ['id', 'ID'],
    ['username', 'Username'],
    ['unlocking_method', 'Unlocking Method'],
    ['date_time', 'Unlocking Date/Time'],
  ] as const
  const USER_COLUMNS = [
    ['id', 'ID'],
    ['public_id', 'Public ID'],
    ['username', 'Username'],
    ['phone', 'Phone'],
    ['address', 'Address'],
  ] as const
  debugView(
    '/getLogs',
    'Unlock log',
    LOG_COLUMNS,
    async (v, c) =>
      (await lock.unlockLog(v, c)).map((unlock) => ({
        id: unlock.id,
        username: unlock.username,
        unlocking_method: unlock.method,
        // RFC 1123 in GMT (`Thu, 03 Dec 2026 10:00:00 GMT`), as the original's Flask wrote it.
        date_time: new Date(unlock.occurredAt).toUTCString(),
      })),
    UnlockLogJson,
  )
  debugView(
    '/getUsers',
    'Users',
    USER_COLUMNS,
    async (v, c) =>
      (await lock.userDirectory(v, c)).map((user) => ({
        id: user.id,
        public_id: user.publicId,
        username: user.username,
        phone: user.phone,
        address: user.address,
      })),
    UserDirectoryJson,
  )
}
