import type { FastifyInstance, FastifyReply } from 'fastify'

/**
 * Headers every response carries (docs/architecture.md "Everywhere"), errors and 404s included: the hook
 * sits on the root instance and runs for every reply Fastify sends. API responses forbid
 * everything a browser could do with them; the Swagger UI pages get the least they need to render.
 */
const API_CSP = "default-src 'none'; frame-ancestors 'none'"
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

/**
 * The web app (docs/web-app.md): its own files only, no inline script or style, no eval, no
 * plugin, no frame, and forms and fetches back to this origin alone.
 */
const APP_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

const isDocsPath = (url: string): boolean => /^\/(api\/)?docs(\/|$|\?)/.test(url)
const isAppPath = (url: string): boolean => /^\/app(\/|$|\?)/.test(url)

export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    setSecurityHeaders(request.url, reply)
    return payload
  })
}

/** The headers themselves; also for replies sent outside any route's hooks (framework errors). */
export function setSecurityHeaders(url: string, reply: FastifyReply): void {
  const docs = isDocsPath(url)
  reply.header('X-Content-Type-Options', 'nosniff')
  reply.header('X-Frame-Options', 'DENY')
  reply.header('Content-Security-Policy', docs ? DOCS_CSP : isAppPath(url) ? APP_CSP : API_CSP)
  reply.header('Referrer-Policy', 'no-referrer')
  reply.header('Cross-Origin-Opener-Policy', 'same-origin')
  reply.header('Cross-Origin-Resource-Policy', 'same-origin')
  // Any API response may carry a token, a secret or a key: never cache one unless a route said
  // otherwise (the One-time surface sets its own, stricter, value).
  if (!docs && !reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store')
}
