import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'

import { createTestEnvironment } from '../helpers/app.js'
import { startServer } from '../helpers/process.js'
import { heldRequest, rawRequest } from '../helpers/raw-http.js'

/** Resolves once nothing accepts a connection at `url` any more: the server stopped listening. */
async function untilRefused(url: string): Promise<void> {
  const { hostname, port } = new URL(url)
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), hostname)
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => {
        resolve(false)
      })
    })
    if (!accepted) return
    await sleep(10)
  }
}

/** Logins held open across the SIGTERM. */
const HELD = 8

describe('graceful shutdown', () => {
  it('finishes the requests in flight on SIGTERM, then exits 0 with the store closed', async (t) => {
    const environment = await createTestEnvironment(t)
    const server = await startServer(t, environment.env)
    const user = { email: 'leaving@example.com', username: 'leaving', password: 'pw-leaving' }
    assert.equal((await rawRequest(server.url, 'POST', '/register', { body: user })).status, 201)

    // Eight logins the server has taken in, each waiting for its body: in flight for certain,
    // however slow the machine, until the test sends the bodies after SIGTERM. Their argon2
    // hashes (two at a time) then keep them in flight through the shutdown. Eight stays under
    // the account's limit of 10 attempts: each is reserved before it is judged, so a burst of
    // more would rightly be refused in part (429).
    const held = await Promise.all(
      Array.from({ length: HELD }, (_, i) =>
        heldRequest(server.url, 'POST', '/login', {
          body: { email: user.email, password: i % 2 === 0 ? user.password : 'wrong' },
        }),
      ),
    )
    const stoppedAt = performance.now()
    const finishedAfterStop: boolean[] = []
    const exited = server.stop()
    // Shutdown has begun once the server accepts no new connection.
    await untilRefused(server.url)
    const answers = await Promise.all(
      held.map((request) =>
        request.send().then((answer) => {
          finishedAfterStop.push(performance.now() > stoppedAt)
          return answer
        }),
      ),
    )
    assert.ok(
      finishedAfterStop.filter(Boolean).length >= 2,
      `requests still in flight at SIGTERM: ${finishedAfterStop.filter(Boolean).length}`,
    )
    assert.deepEqual(
      answers.map((answer) => answer.status),
      Array.from({ length: HELD }, (_, i) => (i % 2 === 0 ? 200 : 401)),
    )
    // Each answer hangs up its keep-alive connection: an idle one left open would hold the exit
    // until its keep-alive timeout, past the grace period on a busy machine.
    assert.deepEqual(
      answers.map((answer) => answer.headers.connection),
      Array.from({ length: HELD }, () => 'close'),
    )
    assert.equal(await exited, 0)

    // The store was closed cleanly: a new server opens it and the work is there.
    const again = await startServer(t, environment.env)
    const login = await rawRequest(again.url, 'POST', '/login', {
      body: { email: user.email, password: user.password },
    })
    assert.equal(login.status, 200)
    assert.equal(await again.stop(), 0)
  })

  it('gives up on a request still open after SHUTDOWN_GRACE_SECONDS and exits 1', async (t) => {
    const environment = await createTestEnvironment(t, {
      env: { SHUTDOWN_GRACE_SECONDS: '1', LOG_LEVEL: 'error' },
    })
    const server = await startServer(t, environment.env)
    // Its body never comes, so only the grace period can end this request.
    await heldRequest(server.url, 'POST', '/login', {
      body: { email: 'nobody@example.com', password: 'pw-nobody' },
    })
    assert.equal(await server.stop(), 1)
    assert.match(server.output(), /shutdown grace period over/)
  })
})
