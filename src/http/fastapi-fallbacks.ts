import type { FastifyInstance } from 'fastify'

import { AppError } from '../errors.js'
import { renderFastApi } from './fastapi-dialect.js'
import { indexServedMethods } from './served-methods.js'

/**
 * What FastAPI's router does for a path no route matches exactly (docs/surfaces/1-secret-storage.md,
 * 4-one-time.md, 5-generate.md), for the surfaces that speak its dialect:
 *
 * - a path that differs from a served one only by a trailing slash → 307 to the path without it
 *   (query kept), as Starlette's `redirect_slashes` does;
 * - `OPTIONS` on a served path → 405 with `Allow`, unless CORS is configured (then the CORS
 *   plugin answers preflights).
 *
 * One automatic mechanism: every route registered after this call is indexed by its path
 * pattern, so nothing is listed twice by hand. Paths under `excluded` prefixes (other dialects)
 * are left alone.
 */
export function installFastApiFallbacks(
  app: FastifyInstance,
  options: { excluded: readonly string[]; corsConfigured: boolean },
): void {
  const served = indexServedMethods(app, (route) => route.url)
  const patterns = new Map<string, RegExp>()
  const methodsAt = (path: string): ReadonlySet<string> | undefined => {
    for (const [url, methods] of served) {
      const pattern = patterns.get(url) ?? toPattern(url)
      patterns.set(url, pattern)
      if (pattern.test(path)) return methods
    }
    return undefined
  }
  const isFastApiPath = (path: string): boolean =>
    !options.excluded.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))

  // FastAPI parses a body as JSON only when it says JSON, or says nothing; any other declared
  // type reaches the model as raw bytes and fails validation (422). This is also what keeps a
  // cross-site HTML form (text/plain) from posting JSON to these routes.
  // Hooks of every request are callback-style: an async one costs a promise each time.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const type = request.headers['content-type']
    if (
      type === undefined ||
      isJsonType(type) ||
      request.routeOptions.schema?.body === undefined ||
      !isFastApiPath(splitUrl(request.url)[0])
    ) {
      done(null, payload)
      return
    }
    done(
      new AppError('VALIDATION_FAILED', 'Body is not JSON', {
        issues: [
          {
            location: 'body',
            path: [],
            kind: 'type',
            message: 'Input should be a valid dictionary or object to extract fields from',
          },
        ],
      }),
    )
  })

  // A reply sent here ends the request: `done` is called only to go on.
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) {
      done()
      return
    }
    const [path, query] = splitUrl(request.url)
    if (!isFastApiPath(path)) {
      done()
      return
    }
    if (path.length > 1 && path.endsWith('/')) {
      const target = path.replace(/\/+$/, '') || '/'
      if (methodsAt(target)?.has(request.method) === true) {
        void reply
          .code(307)
          .header('location', query === undefined ? target : `${target}?${query}`)
          .send()
        return
      }
    }
    if (request.method === 'OPTIONS' && !options.corsConfigured) {
      const methods = methodsAt(path)
      if (methods !== undefined) {
        const allow = [...methods].filter((method) => method !== 'OPTIONS')
        const { status, body } = renderFastApi(
          new AppError('METHOD_NOT_ALLOWED', 'Method Not Allowed', { allow }),
        )
        void reply
          .code(status)
          .header('allow', allow.join(', '))
          .type('application/json')
          .send(body)
        return
      }
    }
    done()
  })
}

/** `application/json` or `application/<anything>+json`, parameters ignored (RFC 6839 §3.1). */
const isJsonType = (type: string): boolean =>
  /^application\/([\w.!#$&^-]+\+)?json\s*(;|$)/i.test(type.trim())

const splitUrl = (url: string): [string, string | undefined] => {
  const at = url.indexOf('?')
  return at === -1 ? [url, undefined] : [url.slice(0, at), url.slice(at + 1)]
}

/** `/api/secret/:secret_key` → a regular expression matching one concrete path. */
const toPattern = (url: string): RegExp =>
  new RegExp(
    `^${url
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')}$`,
  )
