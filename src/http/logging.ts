import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import type { DestinationStream } from 'pino'

import type { LogLevel } from '../config.js'

/**
 * Logs that can be shipped anywhere: no secret, password, passphrase, token or link key can reach
 * a line. Fastify's own request logging is off (it prints raw URLs, and one-time links carry their
 * key in the path and passphrases in the query); instead one line per response names the route
 * *pattern* (`/api/secret/:secret_key`), never the URL. Redaction below is the second belt.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.secret',
  '*.passphrase',
  '*.token',
  '*.access_token',
  '*.encrypted_data',
  '*.secret_key',
]

export function loggerOptions(
  level: LogLevel,
  stream?: DestinationStream,
): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      // If anything logs a request or reply object, only the method and route pattern survive.
      req: (request) => ({ method: request.method, url: request.routeOptions.url ?? '(no route)' }),
      res: (reply) => ({ statusCode: reply.statusCode }),
    },
    ...(stream === undefined ? {} : { stream }),
  }
}

export function registerResponseLog(app: FastifyInstance): void {
  // Callback-style: it runs for every response, and an async hook costs a promise each time.
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? '(no route)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    )
    done()
  })
}
