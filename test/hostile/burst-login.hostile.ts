import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'

import { createTestEnvironment } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { startNodes } from '../helpers/nodes.js'
import { startServer } from '../helpers/process.js'
import { rawRequest } from '../helpers/raw-http.js'
import type { RawResponse } from '../helpers/raw-http.js'

const LIMIT = 10
const WRONG = 50

type Login = (password: string, i: number) => Promise<RawResponse>

/**
 * Fifty wrong passwords for one account at once, then the right one as soon as the first refusal
 * comes back (while the judged guesses may still be hashing), or once the burst is over if no
 * refusal ever comes. The throttle reserves every attempt before judging it, so exactly LIMIT
 * guesses are judged (401) and everything else, the right password included, is refused (429).
 */
async function burst(login: Login, password: string): Promise<void> {
  const wrong = Array.from({ length: WRONG }, (_, i) => login(`wrong-${i}`, i))
  await new Promise<void>((resolve) => {
    for (const response of wrong) {
      response.then(
        (answer) => {
          if (answer.status === 429) resolve()
        },
        () => undefined,
      )
    }
    void Promise.allSettled(wrong).then(() => {
      resolve()
    })
  })
  const right = await login(password, WRONG)
  const statuses = (await Promise.all(wrong)).map((response) => response.status)

  assert.deepEqual(
    [...new Set(statuses)].sort(),
    [401, 429],
    `only judged or refused: ${statuses.join(' ')}`,
  )
  assert.equal(statuses.filter((status) => status === 401).length, LIMIT, 'judged guesses')
  assert.equal(right.status, 429, 'the right password inside the burst')
  assert.ok(Number(right.headers['retry-after']) > 0)
  assert.equal((await login(password, WRONG + 1)).status, 429, 'and after it')
}

const identity = () => {
  const tag = randomBytes(4).toString('hex')
  return { email: `burst-${tag}@example.com`, username: `burst${tag}`, password: 'right-password' }
}

for (const dialect of DIALECTS) {
  describe(`a burst of concurrent logins on one node (${dialect})`, () => {
    it('judges at most the limit and refuses the right password inside the burst', async (t) => {
      const environment = await createTestEnvironment(t, {
        dialect,
        env: { LOG_LEVEL: 'warn', LOGIN_MAX_FAILURES_PER_ACCOUNT: String(LIMIT) },
      })
      const server = await startServer(t, environment.env)
      const user = identity()
      const registered = await rawRequest(server.url, 'POST', '/register', { body: user })
      assert.equal(registered.status, 201, registered.text)
      await burst(
        (password) =>
          rawRequest(server.url, 'POST', '/login', { body: { email: user.email, password } }),
        user.password,
      )
    })
  })
}

for (const [counters, env] of [
  ['Redis', {}],
  ['PostgreSQL', { REDIS_URL: '' }],
] as const) {
  for (const dialect of DIALECTS.filter((name) => name === 'postgres')) {
    describe(`a burst of concurrent logins across two nodes (${dialect}, counters in ${counters})`, () => {
      it('judges at most the limit between them', async (t) => {
        const { nodes } = await startNodes(t, 2, {
          ...env,
          LOGIN_MAX_FAILURES_PER_ACCOUNT: String(LIMIT),
        })
        const [a, b] = nodes
        assert.ok(a !== undefined && b !== undefined)
        const user = identity()
        const registered = await a.call('POST', '/register', { body: user })
        assert.equal(registered.status, 201, registered.text)
        await burst(
          (password, i) =>
            (i % 2 === 0 ? a : b).call('POST', '/login', {
              body: { email: user.email, password },
            }),
          user.password,
        )
      })
    })
  }
}
