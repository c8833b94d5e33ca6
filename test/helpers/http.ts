import assert from 'node:assert/strict'

import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

export const bearer = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
})

export const json = (response: LightMyRequestResponse): unknown =>
  JSON.parse(response.body) as unknown

let counter = 0
/** A fresh identity for a test: unique e-mail and username, a short password (surface 1 allows it). */
export function newIdentity(prefix = 'user'): {
  email: string
  username: string
  password: string
} {
  counter += 1
  const tag = `${prefix}${counter}${Math.random().toString(36).slice(2, 8)}`
  return { email: `${tag}@example.com`, username: tag, password: `pw-${tag}` }
}

/** Registers and logs in on the Secret Storage surface; returns the identity and its token. */
export async function signUp(
  app: FastifyInstance,
  identity = newIdentity(),
): Promise<{ email: string; username: string; password: string; token: string }> {
  const registered = await app.inject({ method: 'POST', url: '/register', payload: identity })
  assert.equal(registered.statusCode, 201, registered.body)
  const loggedIn = await app.inject({
    method: 'POST',
    url: '/login',
    payload: { email: identity.email, password: identity.password },
  })
  assert.equal(loggedIn.statusCode, 200, loggedIn.body)
  const { token } = json(loggedIn) as { token: string }
  return { ...identity, token }
}
