import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

import { buildTestApp } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { json, newIdentity } from '../helpers/http.js'

/**
 * One identifier space for e-mails, usernames and username look-alikes, on every surface that
 * registers (issue 12, findings 1 and 12).
 */

type Surface = 'secret-storage' | 'v1' | 'lock'
const SURFACES: readonly Surface[] = ['secret-storage', 'v1', 'lock']

/** Registers on one surface; `email` or `username` may be left out where the surface allows. */
function register(
  app: FastifyInstance,
  surface: Surface,
  account: { email?: string; username?: string },
): Promise<LightMyRequestResponse> {
  const fresh = newIdentity('id')
  const password = 'long enough password'
  switch (surface) {
    case 'secret-storage':
      return app.inject({
        method: 'POST',
        url: '/register',
        payload: {
          email: account.email ?? fresh.email,
          username: account.username ?? fresh.username,
          password,
        },
      })
    case 'v1':
      return app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: {
          email: account.email ?? fresh.email,
          password,
          ...(account.username === undefined ? {} : { username: account.username }),
        },
      })
    case 'lock':
      return app.inject({
        method: 'POST',
        url: '/lock/register',
        remoteAddress: `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
        payload: {
          username: account.username ?? fresh.username,
          password,
          phone: '+1 555 0100',
          address: '1 Main St',
          ...(account.email === undefined ? {} : { email: account.email }),
        },
      })
  }
}

const succeeded = (response: LightMyRequestResponse): boolean =>
  response.statusCode === 200 || response.statusCode === 201

/** Each surface's existing "taken" answer for the field. */
function assertTaken(
  surface: Surface,
  field: 'email' | 'username',
  response: LightMyRequestResponse,
): void {
  const expected = {
    'secret-storage': { status: 400, body: { detail: 'Email already in use' } },
    v1: { status: 409, body: { error: `That ${field} is already taken` } },
    lock: { status: 400, body: { msg: 'User already exists' } },
  }[surface]
  assert.equal(response.statusCode, expected.status, `${surface}: ${response.body}`)
  assert.deepEqual(json(response), expected.body)
}

/** Each surface's answer to a username the identifier profile refuses. */
function assertRefusedUsername(surface: Surface, response: LightMyRequestResponse): void {
  const body = json(response) as Record<string, unknown>
  switch (surface) {
    case 'secret-storage':
      assert.equal(response.statusCode, 422, response.body)
      assert.ok(Array.isArray(body.detail))
      break
    case 'v1':
      assert.equal(response.statusCode, 422, response.body)
      assert.deepEqual(body, { error: { username: 'is invalid' } })
      break
    case 'lock':
      assert.equal(response.statusCode, 400, response.body)
      assert.deepEqual(body, { msg: 'Invalid username' })
      break
  }
}

const unique = (): string => Math.random().toString(36).slice(2, 10)

for (const dialect of DIALECTS) {
  describe(`one identifier space (${dialect})`, () => {
    it('refuses a username equal to another account’s e-mail, any case, on every surface', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      for (const first of SURFACES) {
        if (first === 'lock') continue // its e-mail is optional; covered below with one
        const email = `boss-${unique()}@example.com`
        assert.ok(succeeded(await register(app, first, { email })))
        for (const surface of SURFACES) {
          assertTaken(
            surface,
            'username',
            await register(app, surface, { username: email.toUpperCase() }),
          )
        }
      }
      const lockEmail = `lock-${unique()}@example.com`
      assert.ok(succeeded(await register(app, 'lock', { email: lockEmail })))
      assertTaken('v1', 'username', await register(app, 'v1', { username: lockEmail }))
    })

    it('refuses an e-mail equal to another account’s username, any case, on every surface', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      for (const first of SURFACES) {
        const name = `ceo-${unique()}@example.com`
        assert.ok(succeeded(await register(app, first, { username: name })))
        for (const surface of SURFACES) {
          assertTaken(surface, 'email', await register(app, surface, { email: name.toUpperCase() }))
        }
      }
    })

    it('lets one account use its own e-mail as its username', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const email = `self-${unique()}@example.com`
      assert.ok(succeeded(await register(app, 'secret-storage', { email, username: email })))
    })

    it('lets exactly one of racing registrations claim an identifier', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const contested = `race-${unique()}@example.com`
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          register(app, index % 2 === 0 ? 'v1' : 'secret-storage', {
            ...(index % 4 < 2 ? { email: contested } : { username: contested.toUpperCase() }),
          }),
        ),
      )
      assert.equal(responses.filter(succeeded).length, 1, responses.map((r) => r.body).join('\n'))
      for (const response of responses.filter((r) => !succeeded(r))) {
        assert.ok([400, 409].includes(response.statusCode), response.body)
      }
    })

    it('treats look-alike usernames as one name (PRECIS UsernameCaseMapped and skeletons)', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const cases: [original: string, lookalikes: string[]][] = [
        ['paypal', ['раypal', 'PAYPAL', 'ｐａｙｐａｌ', 'раураl']],
        ['admin', ['ADMİN', 'admın', 'аdmin']],
        ['ocean', ['осеаn', 'οcean']],
      ]
      for (const [original, lookalikes] of cases) {
        const name = `${original}${unique().replace(/[0-9]/g, '')}`
        assert.ok(succeeded(await register(app, 'secret-storage', { username: name })))
        for (const [index, lookalike] of lookalikes.entries()) {
          const surface = SURFACES[index % SURFACES.length] ?? 'v1'
          const spelled = name.replace(original, lookalike)
          assertTaken(surface, 'username', await register(app, surface, { username: spelled }))
        }
      }
    })

    it('refuses invisible and direction-changing characters in usernames, on every surface', async (t) => {
      const { app } = await buildTestApp(t, { dialect })
      const refused = [
        'zero\u200bwidth',
        'joiner\u200dname',
        'evil\u202eexe.txt',
        'isolate\u2066x',
        'soft\u00adhyphen',
        'ﬁsh',
        'two  spaces',
        ' leading',
        'mixed\u05d0abc',
        'bell\u0007',
      ]
      for (const [index, username] of refused.entries()) {
        for (const surface of SURFACES) {
          assertRefusedUsername(
            surface,
            await register(app, surface, { username: `${username}${index}` }),
          )
        }
      }
      // Ordinary names of other scripts, accents and single spaces are fine.
      for (const username of ['José García', 'Ὀδυσσεύς', 'שלום', '東京']) {
        assert.ok(succeeded(await register(app, 'v1', { username })))
      }
    })
  })
}
