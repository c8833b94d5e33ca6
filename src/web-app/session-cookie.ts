import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * The web app's session: the same revocable access token the JSON APIs take as a bearer token,
 * carried in a cookie page scripts cannot read (docs/web-app.md "Sessions"). `HttpOnly` keeps it
 * from scripts, `SameSite=Strict` keeps other sites' pages from sending it, `Secure` (whenever the
 * request came over HTTPS) keeps it off plain HTTP, and `Path=/app` keeps it off the APIs, which
 * never read cookies anyway.
 */
export const SESSION_COOKIE = 'strongroom_session'
const COOKIE_PATH = '/app'

/** The session token, from the request's Cookie header; undefined when there is none. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie
  if (header === undefined) return undefined
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=')
    if (separator < 0) continue
    if (pair.slice(0, separator).trim() !== SESSION_COOKIE) continue
    const value = pair.slice(separator + 1).trim()
    // A JWT is base64url in three parts; anything else was not set by us.
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value) ? value : ''
  }
  return undefined
}

const attributes = (request: FastifyRequest): string =>
  `Path=${COOKIE_PATH}; HttpOnly; SameSite=Strict${request.protocol === 'https' ? '; Secure' : ''}`

/**
 * A browser-session cookie (no Max-Age): it goes when the browser closes, and the token inside
 * stops working when it expires or is revoked, whichever comes first.
 */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
): void {
  reply.header('Set-Cookie', `${SESSION_COOKIE}=${token}; ${attributes(request)}`)
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('Set-Cookie', `${SESSION_COOKIE}=; Max-Age=0; ${attributes(request)}`)
}
