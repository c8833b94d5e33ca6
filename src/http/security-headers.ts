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

const headersWith = (csp: string): Readonly<Record<string, string>> =>
  Object.freeze({
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': csp,
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  })
// Built once: every response sets one of these three.
const API_HEADERS = headersWith(API_CSP)
const DOCS_HEADERS = headersWith(DOCS_CSP)
const APP_HEADERS = headersWith(APP_CSP)

/** The headers of every response; `docs` selects the Swagger UI's looser CSP. */
export function securityHeaders(docs = false, app = false): Readonly<Record<string, string>> {
  return docs ? DOCS_HEADERS : app ? APP_HEADERS : API_HEADERS
}

export function registerSecurityHeaders(app: FastifyInstance): void {
  // A callback hook: it runs on every response, and an async one costs a promise each time.
  app.addHook('onSend', (request, reply, payload, done) => {
    setSecurityHeaders(request.url, reply)
    done(null, payload)
  })
}

/** The headers themselves; also for replies sent outside any route's hooks (framework errors). */
export function setSecurityHeaders(url: string, reply: FastifyReply): void {
  const docs = isDocsPath(url)
  reply.headers(securityHeaders(docs, !docs && isAppPath(url)))
  // Any API response may carry a token, a secret or a key: never cache one unless a route said
  // otherwise (the One-time surface sets its own, stricter, value).
  if (!docs && !reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store')
}
