import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { createTestEnvironment } from '../helpers/app.js'
import { startServer } from '../helpers/process.js'
import { rawRequest } from '../helpers/raw-http.js'

describe('graceful shutdown', () => {
  it('finishes the requests in flight on SIGTERM, then exits 0 with the store closed', async (t) => {
    const environment = await createTestEnvironment(t)
    const server = await startServer(t, environment.env)
    const user = { email: 'leaving@example.com', username: 'leaving', password: 'pw-leaving' }
    assert.equal((await rawRequest(server.url, 'POST', '/register', { body: user })).status, 201)

    // Logins are slow (argon2id, two at a time): once all twelve have reached the server, most
    // are still waiting for their hash when SIGTERM lands.
    let stoppedAt = Infinity
    const finishedAfterStop: boolean[] = []
    const inFlight = Array.from({ length: 12 }, (_, i) =>
      rawRequest(server.url, 'POST', '/login', {
        body: { email: user.email, password: i % 2 === 0 ? user.password : 'wrong' },
      }).then((answer) => {
        finishedAfterStop.push(performance.now() > stoppedAt)
        return answer
      }),
    )
    // Two answers back means the server has read all twelve and works through the rest.
    while (finishedAfterStop.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    stoppedAt = performance.now()
    const exited = server.stop()
    const answers = await Promise.all(inFlight)
    assert.ok(
      finishedAfterStop.filter(Boolean).length >= 2,
      `requests still in flight at SIGTERM: ${finishedAfterStop.filter(Boolean).length}`,
    )
    assert.deepEqual(
      answers.map((answer) => answer.status),
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 200 : 401)),
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
})
