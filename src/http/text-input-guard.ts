import type { FastifyInstance } from 'fastify'

import { AppError } from '../errors.js'
import type { ValidationIssue } from '../errors.js'

/**
 * One rule for every text a request carries, on every surface: no U+0000 and no lone surrogate
 * (NUL stays allowed in the sealed fields below).
 * PostgreSQL's text type cannot hold NUL (the query fails, which was a 500), and a lone surrogate
 * has no UTF-8 form, so it would be stored as U+FFFD and come back changed. Checked here, before
 * any route's schema or token check, so no route can forget it; each surface answers the issue in
 * its own dialect, like any failed format rule.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const FORBIDDEN = /\u0000|\p{Cs}/u
const LONE_SURROGATE = /\p{Cs}/u
/**
 * Body fields that are only ever stored sealed (secret values, vault names): NUL is data there,
 * never reaches a text column, and comes back byte for byte, so only lone surrogates are refused.
 */
const SEALED_FIELDS = new Set(['secret', 'encrypted_data', 'name'])
/** Deeper than any body a route accepts (JSON nesting is refused past 32 levels anyway). */
const MAX_DEPTH = 40

export function registerTextInputGuard(app: FastifyInstance): void {
  // Callback-style: it runs for every request, and an async hook costs a promise each time.
  app.addHook('preValidation', (request, _reply, done) => {
    const issue =
      findForbidden(request.params, 'params') ??
      findForbidden(request.query, 'query') ??
      findForbidden(request.body, 'body')
    done(
      issue === undefined
        ? undefined
        : new AppError('VALIDATION_FAILED', 'Text contains a forbidden character', {
            issues: [issue],
          }),
    )
  })
}

function findForbidden(
  value: unknown,
  location: ValidationIssue['location'],
  path: string[] = [],
): ValidationIssue | undefined {
  if (typeof value === 'string') {
    const sealed = location === 'body' && path.length === 1 && SEALED_FIELDS.has(path[0] ?? '')
    return (sealed ? LONE_SURROGATE : FORBIDDEN).test(value)
      ? { location, path, kind: 'format', message: 'Text must not contain NUL or lone surrogates' }
      : undefined
  }
  if (typeof value !== 'object' || value === null || path.length > MAX_DEPTH) return undefined
  for (const [key, item] of Object.entries(value)) {
    // A key is text too: report it at its own place.
    if (FORBIDDEN.test(key)) return findForbidden(key, location, [...path, key])
    const found = findForbidden(item, location, [...path, key])
    if (found !== undefined) return found
  }
  return undefined
}
