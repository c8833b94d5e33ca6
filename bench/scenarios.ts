import type { Request } from 'autocannon'

import { load } from './lib/load.js'
import type { LoadResult } from './lib/load.js'

export interface Fixture {
  url: string
  user: { email: string; username: string; password: string }
  token: string
  vaultSecretId: number
  /** Vault owners for the write scenario: one owner may hold at most 1000 secrets. */
  writerTokens: readonly string[]
}

export interface Measured extends LoadResult {
  /** What the figure is compared with in the table. */
  ceiling?: 'http' | 'commit'
  note?: string
}

export interface Row extends Measured {
  scenario: string
  store: string
  connections: number
  peakRss: number
  cpuUsPerRequest: number
}

export interface Scenario {
  name: string
  connections: readonly number[]
  stores?: readonly ('sqlite' | 'postgres')[]
  run(
    fixture: Fixture,
    options: { connections: number; durationSeconds: number },
  ): Promise<Measured>
}

const jsonHeaders = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
})

let nextWriter = 0

export const readPersonal = (fixture: Fixture): Request[] => [
  {
    method: 'GET',
    path: `/get_secret?username=${fixture.user.username}`,
    headers: { authorization: `Bearer ${fixture.token}` },
  },
]

/** Create-then-read pairs: the key from each create is read (and burnt) by the next request. */
function createThenRead(create: Request, readPath: (key: string) => string): Request[] {
  return [
    {
      ...create,
      onResponse: (_status: number, body: string, context: Record<string, unknown>) => {
        context.key = (JSON.parse(body) as { secret_key?: string }).secret_key
      },
    },
    {
      method: 'GET',
      setupRequest: (request: Request, context: Record<string, unknown>) => ({
        ...request,
        path: readPath(String(context.key)),
      }),
    },
  ] as Request[]
}

export const scenarios: readonly Scenario[] = [
  {
    name: 'Authenticated read, surface 1 (GET /get_secret)',
    connections: [8, 32, 128],
    run: async (fixture, options) => ({
      ...(await load({ url: fixture.url, ...options, requests: readPersonal(fixture) })),
      ceiling: 'http',
    }),
  },
  {
    name: 'Authenticated read, surface 2 (GET /v1/secrets)',
    connections: [32],
    run: async (fixture, options) => ({
      ...(await load({
        url: fixture.url,
        ...options,
        requests: [
          {
            method: 'GET',
            path: '/v1/secrets',
            headers: jsonHeaders(fixture.token),
            body: JSON.stringify({ secret_id: fixture.vaultSecretId }),
          },
        ],
      })),
      ceiling: 'http',
    }),
  },
  {
    name: 'Durable write, surface 1 (POST /set_secret)',
    connections: [32],
    run: async (fixture, options) => ({
      ...(await load({
        url: fixture.url,
        ...options,
        requests: [
          {
            method: 'POST',
            path: '/set_secret',
            headers: jsonHeaders(fixture.token),
            body: JSON.stringify({ username: fixture.user.username, secret: 'rotated-value' }),
          },
        ],
      })),
      ceiling: 'commit',
    }),
  },
  {
    name: 'Durable write, surface 2 (POST /v1/secrets)',
    connections: [32],
    run: async (fixture, options) => ({
      ...(await load({
        url: fixture.url,
        ...options,
        requests: [
          {
            method: 'POST',
            path: '/v1/secrets',
            body: JSON.stringify({ name: 'deploy-key', encrypted_data: 'ZW5jcnlwdGVk' }),
            // Each connection writes as its own owner, so no owner reaches the per-owner limit.
            setupRequest: (request: Request, context: Record<string, unknown>) => {
              context.token ??= fixture.writerTokens[nextWriter++ % fixture.writerTokens.length]
              return { ...request, headers: jsonHeaders(String(context.token)) }
            },
          } as Request,
        ],
      })),
      ceiling: 'commit',
    }),
  },
  {
    name: 'One-time create then read, surface 4 (/api/secret)',
    connections: [32],
    run: async (fixture, options) => ({
      ...(await load({
        url: fixture.url,
        ...options,
        requests: createThenRead(
          {
            method: 'POST',
            path: '/api/secret',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ secret: 'one-time value', ttl_seconds: 600 }),
          },
          (key) => `/api/secret/${key}`,
        ),
      })),
      ceiling: 'commit',
      note: 'two requests per secret',
    }),
  },
  {
    name: 'One-time create then read, surface 5 (/generate)',
    connections: [32],
    run: async (fixture, options) => ({
      ...(await load({
        url: fixture.url,
        ...options,
        requests: createThenRead(
          {
            method: 'POST',
            path: '/generate',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ secret: 'one-time value', passphrase: 'bench passphrase' }),
          },
          (key) => `/secrets/${key}?passphrase=bench%20passphrase`,
        ),
      })),
      note: 'argon2id twice per secret (passphrase hash and key)',
    }),
  },
  {
    name: 'Login (POST /login)',
    connections: [32],
    run: async (fixture, options) => ({
      ...(await load({
        url: fixture.url,
        ...options,
        requests: [
          {
            method: 'POST',
            path: '/login',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: fixture.user.email, password: fixture.user.password }),
          },
        ],
      })),
      note: 'argon2id-bound (m=19 MiB, t=2)',
    }),
  },
  {
    name: 'Authenticated read during a 32-client login storm (surface 1)',
    connections: [8],
    run: async (fixture, options) => {
      const idle = await load({ url: fixture.url, ...options, requests: readPersonal(fixture) })
      const [reads] = await Promise.all([
        load({ url: fixture.url, ...options, requests: readPersonal(fixture) }),
        load({
          url: fixture.url,
          connections: 32,
          durationSeconds: options.durationSeconds,
          requests: [
            {
              method: 'POST',
              path: '/login',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ email: fixture.user.email, password: fixture.user.password }),
            },
          ],
        }),
      ])
      return {
        ...reads,
        note: `idle p99 ${idle.p99} ms → ${(reads.p99 / Math.max(idle.p99, 1)).toFixed(1)}× during the storm`,
      }
    },
  },
]
