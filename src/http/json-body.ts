import type { FastifyInstance } from 'fastify'
import secureJson from 'secure-json-parse'

/**
 * One body parser for every surface. Bodies are JSON whatever the Content-Type says (the Go and
 * Flask originals decoded JSON regardless; FastAPI did when the header was missing), so a client
 * that forgets `-H 'Content-Type: application/json'` is still understood. Two guards run before
 * anything reads the body: nesting deeper than MAX_JSON_DEPTH is refused by a linear scan
 * (deep nesting is a cheap way to make parsers and validators recurse), and `__proto__` /
 * `constructor.prototype` keys are dropped so a body can never poison an object's prototype.
 */
export const MAX_JSON_DEPTH = 32

export class BodyParseError extends Error {
  readonly statusCode = 400
  readonly code: 'STRONGROOM_INVALID_JSON' | 'STRONGROOM_JSON_TOO_DEEP'
  constructor(code: BodyParseError['code'], message: string) {
    super(message)
    this.name = 'BodyParseError'
    this.code = code
  }
}

export function registerJsonBodyParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    if (text.trim() === '') {
      done(null, undefined)
      return
    }
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      done(
        new BodyParseError(
          'STRONGROOM_JSON_TOO_DEEP',
          `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
        ),
        undefined,
      )
      return
    }
    try {
      done(
        null,
        secureJson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' }),
      )
    } catch {
      done(new BodyParseError('STRONGROOM_INVALID_JSON', 'Body is not valid JSON'), undefined)
    }
  })
}

/** True when brackets outside string literals nest deeper than `limit`. O(n), no allocation. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return false
}
