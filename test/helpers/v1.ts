import assert from 'node:assert/strict'

import type { FastifyInstance, InjectOptions } from 'fastify'

import { newIdentity } from './http.js'

export interface V1Response {
  status: number
  /** Parsed JSON, or undefined for an empty body (204). */
  body: unknown
  headers: Record<string, string | string[] | number | undefined>
}

/**
 * One request to the Secrets v1 surface. `body` is sent as JSON on any method, GET and DELETE
 * included, as the surface documents; `raw` sends bytes exactly as given.
 */
export async function v1(
  app: FastifyInstance,
  method: InjectOptions['method'],
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<V1Response> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  const request: InjectOptions = { method, url: `/v1${path}`, headers }
  if (options.raw !== undefined) request.payload = options.raw
  else if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json'
    request.payload = JSON.stringify(options.body)
  }
  const response = await app.inject(request)
  return {
    status: response.statusCode,
    body: response.body === '' ? undefined : (JSON.parse(response.body) as unknown),
    headers: response.headers,
  }
}

export interface V1User {
  id: number
  email: string
  password: string
  token: string
}

/** Registers on `/v1/auth/register` and logs in on `/v1/auth/login`. */
export async function signUpV1(app: FastifyInstance, prefix = 'v1user'): Promise<V1User> {
  const { email, password } = newIdentity(prefix)
  const registered = await v1(app, 'POST', '/auth/register', { body: { email, password } })
  assert.equal(registered.status, 201, JSON.stringify(registered.body))
  const { id } = (registered.body as { user: { id: number } }).user
  const login = await v1(app, 'POST', '/auth/login', { body: { email, password } })
  assert.equal(login.status, 200, JSON.stringify(login.body))
  return { id, email, password, token: (login.body as { token: string }).token }
}

/** Calls that must succeed while a test sets up its world. */
export async function expectStatus(
  pending: Promise<V1Response>,
  status: number,
): Promise<V1Response> {
  const response = await pending
  assert.equal(response.status, status, JSON.stringify(response.body))
  return response
}
