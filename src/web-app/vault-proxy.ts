import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify'

import { notFound } from '../errors.js'
import { sessionToken } from './session-cookie.js'

/**
 * The vault pages speak to the Secrets v1 and Audit APIs themselves (`/v1/...`), so every rule,
 * limit, error and audit event is exactly theirs. A page cannot hold the bearer token, though
 * (it lives in the HttpOnly cookie), and some v1 reads take a JSON body on GET, which `fetch`
 * cannot send. So a page POSTs `{method, path, body}` here, and the call is made in-process
 * (`inject`) with the cookie's token as the bearer token and the caller's own address and user
 * agent, which rate limits and audit events then see as if the browser had called /v1 directly.
 */
const VAULT_PATHS =
  /^\/(auth\/register|secrets|secrets\/shared|secrets\/share\/(user|group)|user\/secrets|groups|groups\/(add_user|remove_user)|users|users\/me|audit|audit\/public-key|audit\/checkpoint|audit\/proof\/inclusion)$/

export interface VaultCall {
  method: HTTPMethods
  path: string
  body?: Record<string, unknown>
}

export async function callVault(
  app: FastifyInstance,
  request: FastifyRequest,
  call: VaultCall,
): Promise<{ status: number; body: unknown; retryAfter: string | undefined }> {
  const url = new URL(call.path, 'http://vault.invalid')
  if (url.origin !== 'http://vault.invalid' || !VAULT_PATHS.test(url.pathname)) {
    throw notFound('route')
  }
  const token = sessionToken(request)
  const headers: Record<string, string> = {
    'user-agent': request.headers['user-agent'] ?? '',
    ...(token === undefined || token === '' ? {} : { authorization: `Bearer ${token}` }),
    ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
  }
  const response = await app.inject({
    method: call.method,
    url: `/v1${url.pathname}${url.search}`,
    headers,
    remoteAddress: request.ip,
    ...(call.body === undefined ? {} : { payload: JSON.stringify(call.body) }),
  })
  const text = response.body
  const retryAfter = response.headers['retry-after']
  return {
    status: response.statusCode,
    body: text === '' ? null : (JSON.parse(text) as unknown),
    // A limited v1 call tells the page when to try again, as it would have told the browser.
    retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
  }
}
