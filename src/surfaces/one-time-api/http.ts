import type {
  FastifyInstance,
  HTTPMethods,
  onRequestHookHandler,
  preValidationHookHandler,
} from 'fastify'

import { AppError } from '../../errors.js'

/** What surface 4 sends on every response (docs/surfaces/4-one-time.md); surface 5 sends it too. */
export const NO_CACHE = 'no-cache, no-store, must-revalidate'

/**
 * Sets the no-cache header first thing, so errors, 404s and 405s of the scope carry it as well
 * (the root's `no-store` default only fills in a missing header).
 */
export const noCache: onRequestHookHandler = (_request, reply, done) => {
  reply.header('Cache-Control', NO_CACHE)
  done()
}

const ALL: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

/**
 * 405 with `Allow` for every other method on a known path. Unlike the shared helper it answers
 * HEAD too: a GET that burns a secret must not run for a HEAD (link previews send those), so
 * those routes are registered without their automatic HEAD twin.
 */
export function refuseOtherMethods(
  scope: FastifyInstance,
  url: string,
  allowed: readonly HTTPMethods[],
): void {
  scope.route({
    method: ALL.filter((method) => !allowed.includes(method)),
    url,
    schema: { hide: true },
    handler: () => {
      throw new AppError('METHOD_NOT_ALLOWED', 'Method Not Allowed', { allow: [...allowed] })
    },
  })
}

/**
 * FastAPI's `Optional[...] = None`: a JSON `null` means the same as leaving the field out. Removing
 * those nulls before validation keeps each field's schema a single type, so a bad value gets one
 * precise 422 issue instead of one per alternative of a union.
 */
export function nullMeansAbsent(fields: readonly string[]): preValidationHookHandler {
  return (request, _reply, done) => {
    const body: unknown = request.body
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      const record = body as Record<string, unknown>
      for (const field of fields) if (record[field] === null) Reflect.deleteProperty(record, field)
    }
    done()
  }
}
