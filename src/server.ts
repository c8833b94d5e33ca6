import { buildApp } from './app.js'
import type { Config } from './config.js'
import { closeConnectionsWhenAnswered } from './http/shutdown-connections.js'
import { VERSION } from './version.js'

/**
 * Serves until SIGTERM or SIGINT, then stops accepting connections, lets in-flight requests
 * finish, closes the store and exits 0. This file and cli.ts are the only ones that touch the
 * process (docs/architecture.md rule 1).
 */
export async function startServer(config: Config, warnings: readonly string[]): Promise<void> {
  const app = await buildApp(config)
  for (const warning of warnings) app.log.warn(warning)

  // A request must never take the process down (CWE-703): anything that escapes Fastify's
  // lifecycle is logged, and the server keeps serving.
  process.on('unhandledRejection', (reason) => {
    app.log.error({ err: describe(reason) }, 'unhandled rejection')
  })
  process.on('uncaughtException', (error) => {
    app.log.error({ err: describe(error) }, 'uncaught exception')
  })

  const closeConnections = closeConnectionsWhenAnswered(app.server)
  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      app.log.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    stopping = true
    app.log.info({ signal }, 'shutting down: finishing in-flight requests')
    closeConnections()
    // In-flight requests get SHUTDOWN_GRACE_SECONDS to finish before the process gives up on them.
    const timer = setTimeout(() => {
      app.log.error('shutdown grace period over: exiting with requests still open')
      process.exit(1)
    }, config.shutdownGraceSeconds * 1000)
    timer.unref()
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: describe(error) }, 'error while shutting down')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)

  await app.listen({ host: config.host, port: config.port })
  app.log.info(
    {
      version: VERSION,
      store: config.database.kind === 'sqlite' ? config.database.file : 'postgresql',
      keys: config.appSecret === undefined ? `key file in ${config.dataDir}` : 'APP_SECRET',
    },
    'Strongroom is ready',
  )
}

const describe = (value: unknown): { type: string; message: string } =>
  value instanceof Error
    ? { type: value.constructor.name, message: value.message }
    : { type: typeof value, message: 'non-error value' }
