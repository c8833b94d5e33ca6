import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import { createTestEnvironment } from '../helpers/app.js'
import { startServer } from '../helpers/process.js'
import { rawRequest } from '../helpers/raw-http.js'

/**
 * An IPv6 client that rotates its source address inside its own /64 gets no fresh counters
 * (finding 3 of the security review): the Lock rate limits, the per-address login throttle and
 * the e-mail lookup all count the /64 as one client.
 *
 * The real thing needs real source addresses. The test re-runs this file inside a network
 * namespace it creates itself (`unshare -rn`: a user namespace, so no privilege is needed where
 * unprivileged user namespaces are allowed), binds addresses of several /64s to that namespace's
 * loopback, starts the server there and connects from each address. Where no namespace can be
 * made, the same scenario runs through a trusted proxy's X-Forwarded-For from 127.0.0.1.
 */
const INSIDE = process.env.STRONGROOM_TEST_NETNS === '1'
const THIS_FILE = fileURLToPath(import.meta.url)

/** Host parts spread over the /64, as a rotating client would pick them. */
const HOSTS = Array.from(
  { length: 8 },
  (_, i) => `${(0x1000 + i * 0x1f3).toString(16)}:${(i * 7919).toString(16)}:9:${i + 1}`,
)
const network = (n: string) => HOSTS.map((host) => `2001:db8:ab:${n}:${host}`)
const LOCK = network('1')
const LOGIN = network('2')
const LOOKUP = network('3')
const OTHER = `2001:db8:ab:9:${HOSTS[0] ?? ''}`
const SETUP = `2001:db8:ab:a:${HOSTS[0] ?? ''}`
const ALL = [...LOCK, ...LOGIN, ...LOOKUP, OTHER, SETUP]

interface Answer {
  status: number
  body: unknown
}
type Send = (
  from: string,
  method: string,
  path: string,
  options?: { body?: unknown; token?: string },
) => Promise<Answer>

const at = (addresses: readonly string[], i: number): string =>
  addresses[i % addresses.length] ?? ''

async function scenario(send: Send): Promise<void> {
  // Lock: 3/minute per client and route; three addresses use it up for the whole /64.
  const lockLogin = (from: string) =>
    send(from, 'POST', '/lock/login', { body: { username: 'nobody', password: 'x' } })
  for (let i = 0; i < 3; i++) assert.notEqual((await lockLogin(at(LOCK, i))).status, 429)
  for (let i = 3; i < 8; i++) {
    assert.equal((await lockLogin(at(LOCK, i))).status, 429, `Lock, address ${i} of the /64`)
  }
  assert.notEqual((await lockLogin(OTHER)).status, 429, 'another /64 is another client')

  // Login throttle: 5 failures per client; guesses at five accounts from five addresses.
  const user = { email: 'rotation@example.com', username: 'rotation', password: 'rotation-pw' }
  assert.equal((await send(SETUP, 'POST', '/register', { body: user })).status, 201)
  const login = (from: string, email: string, password: string) =>
    send(from, 'POST', '/login', { body: { email, password } })
  for (let i = 0; i < 5; i++) {
    assert.equal((await login(at(LOGIN, i), `victim${i}@example.com`, 'guess')).status, 401)
  }
  assert.equal((await login(at(LOGIN, 5), user.email, user.password)).status, 429)
  assert.equal((await login(at(LOGIN, 6), user.email, user.password)).status, 429)
  assert.equal((await login(OTHER, user.email, user.password)).status, 200)

  // E-mail lookup: 30 a minute per client (and per account: two accounts take turns).
  const tokens: string[] = []
  for (const name of ['looker-a', 'looker-b']) {
    const body = { email: `${name}@example.com`, password: 'looker-password' }
    assert.equal((await send(SETUP, 'POST', '/v1/auth/register', { body })).status, 201)
    const answer = await send(SETUP, 'POST', '/v1/auth/login', { body })
    tokens.push((answer.body as { token: string }).token)
  }
  const lookup = (i: number) =>
    send(at(LOOKUP, i), 'GET', '/v1/users?email=someone%40example.com', { token: tokens[i % 2] })
  for (let i = 0; i < 30; i++) assert.notEqual((await lookup(i)).status, 429, `lookup ${i}`)
  assert.equal((await lookup(30)).status, 429)
}

/** One request from `localAddress` to the server at `[host]:port`. */
function fromAddress(
  host: string,
  port: number,
  localAddress: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
    const request = httpRequest(
      {
        host,
        port,
        localAddress,
        method,
        path,
        agent: false,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        },
      },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            body: text === '' ? undefined : (JSON.parse(text) as unknown),
          })
        })
      },
    )
    request.once('error', reject)
    request.end(payload)
  })
}

/** Whether this machine lets this user make a network namespace with its own loopback. */
function namespacesWork(): boolean {
  const probe = spawnSync('unshare', ['-rn', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore' })
  return probe.status === 0
}

describe('IPv6 clients rotating addresses inside one /64', () => {
  if (INSIDE) {
    it('share one count per /64 (real source addresses)', async (t) => {
      const environment = await createTestEnvironment(t, {
        env: { LOG_LEVEL: 'warn', LOCK_RATE_LIMITS: '3/minute', LOGIN_MAX_FAILURES_PER_IP: '5' },
      })
      const server = await startServer(t, { ...environment.env, HOST: '::' })
      const port = Number(new URL(server.url).port)
      const target = SETUP
      await scenario((from, method, path, options = {}) =>
        fromAddress(target, port, from, method, path, options),
      )
    })
  } else if (namespacesWork()) {
    it('share one count per /64 (inside a network namespace on loopback)', () => {
      const bind = ALL.map((address) => `ip -6 addr add ${address}/64 dev lo nodad`).join(' && ')
      // Inside, only the namespace's loopback exists: the test runs on SQLite there.
      const env: NodeJS.ProcessEnv = { ...process.env, STRONGROOM_TEST_NETNS: '1' }
      delete env.TEST_DATABASE_URL
      // Run as a test run of its own, not as a child reporting to this one.
      delete env.NODE_TEST_CONTEXT
      const inner = spawnSync(
        'unshare',
        [
          '-rn',
          'sh',
          '-c',
          `ip link set lo up && ${bind} && exec "$0" --import tsx --test --test-reporter=spec "$1"`,
          process.execPath,
          THIS_FILE,
        ],
        { env, encoding: 'utf8', timeout: 300_000 },
      )
      assert.equal(inner.status, 0, `inside the namespace:\n${inner.stdout}\n${inner.stderr}`)
      assert.match(inner.stdout, /share one count per \/64 \(real source addresses\)/)
    })
  } else {
    it('share one count per /64 (X-Forwarded-For from a trusted proxy: no namespace here)', async (t) => {
      const environment = await createTestEnvironment(t, {
        env: {
          LOG_LEVEL: 'warn',
          LOCK_RATE_LIMITS: '3/minute',
          LOGIN_MAX_FAILURES_PER_IP: '5',
          TRUST_PROXY: '127.0.0.1',
        },
      })
      const server = await startServer(t, environment.env)
      await scenario((from, method, path, options = {}) =>
        rawRequest(server.url, method, path, {
          ...options,
          headers: { 'x-forwarded-for': from },
        }),
      )
    })
  }
})
