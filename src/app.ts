import cors from '@fastify/cors'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { LogController } from 'fastify'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { DestinationStream } from 'pino'

import { systemClock } from './clock.js'
import type { Config } from './config.js'
import { openStore } from './db/connect.js'
import type { Store } from './db/connect.js'
import { prepareStore } from './db/prepare.js'
import { openStoreKeyring } from './domain/keys/open.js'
import { randomId } from './crypto/random.js'
import { AppError } from './errors.js'
import { installDialect } from './http/dialect.js'
import { renderFastApi } from './http/fastapi-dialect.js'
import { installFastApiFallbacks } from './http/fastapi-fallbacks.js'
import { registerHealth } from './http/health.js'
import { registerHome } from './http/home.js'
import { registerJsonBodyParser } from './http/json-body.js'
import { loggerOptions, registerResponseLog } from './http/logging.js'
import { registerOpenApi } from './http/openapi.js'
import { answerClientError } from './http/client-error.js'
import { registerTextInputGuard } from './http/text-input-guard.js'
import { registerSecurityHeaders, setSecurityHeaders } from './http/security-headers.js'
import { registerSerializers, registerValidators } from './http/validation.js'
import { startMaintenance } from './maintenance.js'
import { createServices } from './services.js'
import type { ServiceOverrides } from './services.js'
import { auditApi } from './surfaces/audit-api/routes.js'
import { lockSurface } from './surfaces/lock/routes.js'
import { generateSurface } from './surfaces/generate/routes.js'
import { oneTimeApiSurface } from './surfaces/one-time-api/routes.js'
import { secretStorageSurface } from './surfaces/secret-storage/routes.js'
import { secretsV1Surface } from './surfaces/secrets-v1/index.js'
import { VERSION } from './version.js'
import { webApp } from './web-app/index.js'

export interface AppOverrides extends ServiceOverrides {
  /** An already open store; the caller keeps ownership and closes it. */
  store?: Store
  /** Where log lines go (tests capture them to prove nothing secret is logged). */
  logStream?: DestinationStream
}

/**
 * The composition root: opens and prepares the store, wires the domain, and mounts every surface
 * on one Fastify instance. It never listens and never exits (that is server.ts), so tests get
 * exactly the production app through `inject`.
 */
export async function buildApp(
  config: Config,
  overrides: AppOverrides = {},
): Promise<FastifyInstance> {
  const clock = overrides.clock ?? systemClock
  const ownsStore = overrides.store === undefined
  const store = overrides.store ?? openStore(config.database)
  let services
  try {
    await prepareStore(store)
    const keyring = overrides.keyring ?? (await openStoreKeyring(config, store, clock))
    services = createServices(config, store, clock, { ...overrides, keyring })
  } catch (error) {
    if (ownsStore) await store.close()
    throw error
  }

  const app = Fastify({
    logger: loggerOptions(config.logLevel, overrides.logStream),
    // Fastify's per-request lines print raw URLs; registerResponseLog writes a safe one instead.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomId(),
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    // Slow or stalled clients are cut off instead of holding sockets forever.
    connectionTimeout: 60_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    // Node's own 400/408/431 replies get the security headers too.
    clientErrorHandler: answerClientError,
    // Path parameters (one-time link keys) are judged by each route's schema and answered in its
    // surface's dialect; the router's own limit would answer long ones with a raw 414 that echoes
    // the path. Node's header limit (16 KiB) still bounds the URL.
    routerOptions: { maxParamLength: 16 * 1024 },
    // A path the router cannot decode (`/secrets/%zz?passphrase=…`) names nothing: the root's
    // 404, instead of Fastify's raw 400 that echoes the whole URL (query included) and names its
    // error code. These replies bypass every hook, so the headers are set here.
    frameworkErrors: (_error, request, reply) => {
      const { status, body } = renderFastApi(
        new AppError('NOT_FOUND', 'Not Found', { subject: 'route' }),
      )
      setSecurityHeaders(request.url, reply)
      void (reply as FastifyReply).code(status).type('application/json; charset=utf-8').send(body)
    },
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.addHook('onClose', async () => {
    await services.close()
    if (ownsStore) await store.close()
  })

  app.decorateRequest('principal', null)
  registerValidators(app)
  registerSerializers(app)
  registerJsonBodyParser(app, config.bodyLimitBytes)
  registerSecurityHeaders(app)
  registerTextInputGuard(app)
  registerResponseLog(app)
  installDialect(app, renderFastApi)
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...config.corsOrigins],
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      credentials: false,
      maxAge: 600,
    })
  }
  installFastApiFallbacks(app, {
    excluded: ['/v1', ...(lockPrefixFor(config) === '' ? [] : [lockPrefixFor(config)])],
    corsConfigured: config.corsOrigins.length > 0,
  })
  await registerOpenApi(app, VERSION)
  registerHealth(app, services)
  const lockPrefix = lockPrefixFor(config)
  registerHome(app, VERSION, [
    ...(lockPrefix === '' ? [] : [{ name: 'Secret Storage', base: '/' }]),
    { name: 'Secrets v1', base: '/v1' },
    { name: 'Lock', base: config.lockPrefix },
    { name: 'One-time', base: '/api' },
    { name: 'Generate', base: '/generate, /secrets' },
    { name: 'Audit', base: '/v1/audit' },
  ])
  // LOCK_PREFIX=/ puts the Lock surface's /register and /login where surface 1's are: that
  // deployment serves the Lock surface instead (docs/surfaces/3-lock.md).
  if (lockPrefix === '') {
    app.log.warn('LOCK_PREFIX is /: the Lock surface replaces the Secret Storage surface at /')
  } else {
    await app.register(secretStorageSurface, { services })
  }
  await app.register(secretsV1Surface, {
    prefix: '/v1',
    services,
    groupAdditionLimits: config.groupAdditionLimits,
  })
  await app.register(auditApi, { prefix: '/v1', services })
  await app.register(lockSurface, {
    prefix: lockPrefix,
    services,
    rateLimits: config.lockRateLimits,
    debugViews: config.lockDebugViews,
  })
  await app.register(oneTimeApiSurface, {
    prefix: '/api',
    services,
    eventsPublic: config.eventsPublic,
  })
  await app.register(generateSurface, { services })
  await app.register(webApp, { prefix: '/app', services })

  // Housekeeping belongs to a serving node only: it starts when the app listens (never under
  // `inject` in tests) and stops when the app closes.
  let maintenance: { stop(): void } | undefined
  // The audit sequencer runs wherever the app runs, under inject too: events must be sealed for
  // a test's verification as for a node's. services.close() stops it, sealing what is left.
  app.addHook('onReady', async () => {
    store.startUpkeep()
    // A rotation's new data-key version reaches this node through the refresh, without a restart.
    services.keyring.start()
    services.audit.sequencer.start((error) => {
      app.log.error(
        { err: { message: error instanceof Error ? error.message : 'unknown' } },
        'audit sealing failed; retrying',
      )
    })
  })
  app.addHook('onListen', async () => {
    maintenance ??= startMaintenance(services, app.log)
  })
  app.addHook('onClose', async () => {
    maintenance?.stop()
  })
  return app
}

/** The Lock surface's mount point without a trailing slash; `''` at the root. */
const lockPrefixFor = (config: Config): string =>
  config.lockPrefix === '/' ? '' : config.lockPrefix
