import type { FastifyInstance } from 'fastify'

/**
 * `Content-Type: application/json`, exactly, on every JSON answer of one scope. The Go original
 * of surface 2 sent no charset parameter and its own tests compare the header as a string
 * (docs/surfaces/2-secrets-v1.md); JSON is UTF-8 by definition (RFC 8259 §8.1), so nothing is
 * lost. Registered on the scope, it covers routes, errors, 404s and 405s alike.
 */
export function sendExactJsonType(scope: FastifyInstance): void {
  scope.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type')
    if (typeof type === 'string' && /^application\/json\s*;/i.test(type)) {
      reply.header('content-type', 'application/json')
    }
    done(null, payload)
  })
}
