import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'

import { createTestEnvironment } from './app.js'
import { runCli, startServer } from './process.js'
import type { RunningServer } from './process.js'
import { rawRequest } from './raw-http.js'

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379'

/** A client address of its own per run: Redis outlives test runs, and counters are per address. */
export const randomIp = (): string =>
  `198.18.${randomBytes(1).readUInt8()}.${randomBytes(1).readUInt8()}`

export interface Node {
  server: RunningServer
  call(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; ip?: string },
  ): ReturnType<typeof rawRequest>
}

/**
 * `count` real `strongroom serve` processes on one fresh PostgreSQL schema and the machine's
 * Redis, migrated first as production does.
 */
export async function startNodes(
  t: Parameters<typeof createTestEnvironment>[0],
  count: number,
  extraEnv: Record<string, string> = {},
): Promise<{ nodes: Node[]; env: Record<string, string> }> {
  const environment = await createTestEnvironment(t, {
    dialect: 'postgres',
    env: {
      REDIS_URL,
      TRUST_PROXY: '127.0.0.1',
      LOCK_RATE_LIMITS: '3/minute',
      LOG_LEVEL: 'warn',
      // Its own keys: throttle counters in the shared Redis are keyed by HMACs under them, and
      // user ids restart at 1 in every fresh schema.
      APP_SECRET: `nodes-${randomBytes(8).toString('hex')}`,
      ...extraEnv,
    },
  })
  const migrated = runCli(['migrate'], environment.env)
  assert.equal(migrated.code, 0, migrated.stderr)
  const servers = await Promise.all(
    Array.from({ length: count }, () => startServer(t, environment.env)),
  )
  const ip = randomIp()
  const nodes = servers.map((server): Node => ({
    server,
    call: (method, path, options = {}) =>
      rawRequest(server.url, method, path, {
        ...options,
        headers: { 'x-forwarded-for': options.ip ?? ip },
      }),
  }))
  return { nodes, env: environment.env }
}

export async function account(
  node: Node,
  tag: string,
): Promise<{ id: number; token: string; email: string }> {
  const email = `${tag}-${randomBytes(4).toString('hex')}@example.com`
  const registered = await node.call('POST', '/v1/auth/register', {
    body: { email, password: 'nodes-password' },
  })
  assert.equal(registered.status, 201, registered.text)
  const login = await node.call('POST', '/v1/auth/login', {
    body: { email, password: 'nodes-password' },
  })
  assert.equal(login.status, 200, login.text)
  return {
    id: (registered.body as { user: { id: number } }).user.id,
    token: (login.body as { token: string }).token,
    email,
  }
}
