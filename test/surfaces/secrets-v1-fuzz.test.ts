import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import fc from 'fast-check'
import type { InjectOptions } from 'fastify'

import { buildTestApp, openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectStatus, signUpV1, v1 } from '../helpers/v1.js'

const PATHS = [
  '/v1/auth/register',
  '/v1/auth/login',
  '/v1/auth/logout',
  '/v1/users/me',
  '/v1/users',
  '/v1/secrets',
  '/v1/user/secrets',
  '/v1/secrets/shared',
  '/v1/secrets/share/user',
  '/v1/secrets/update/user',
  '/v1/secrets/revoke/user',
  '/v1/secrets/share/group',
  '/v1/groups',
  '/v1/groups/add_user',
  '/v1/groups/remove_user',
]

const KEYS = [
  'email',
  'password',
  'username',
  'name',
  'encrypted_data',
  'secret_id',
  'user_id',
  'group_id',
  'permission',
  'group_name',
  'new_group_name',
  '__proto__',
  'constructor',
]

/**
 * The general fuzzer (test/http/fuzz.test.ts) sends no body on GET and knows none of this
 * surface's keys. This one does: bodies on every method, made of this surface's fields with
 * plausible and hostile values, by the owner of real rows, so requests reach the store.
 */
for (const dialect of DIALECTS) {
  describe(`Secrets v1 fuzzing (${dialect})`, () => {
    it('never answers 5xx, always in its dialect, and keeps the audit chain intact', async (t) => {
      const { app, ...environment } = await buildTestApp(t, { dialect })
      const owner = await signUpV1(app, 'owner')
      const other = await signUpV1(app, 'other')
      await expectStatus(
        v1(app, 'POST', '/secrets', {
          token: owner.token,
          body: { name: 'n', encrypted_data: 'd' },
        }),
        201,
      )
      await expectStatus(
        v1(app, 'POST', '/groups', { token: owner.token, body: { group_name: 'fuzz-team' } }),
        201,
      )

      const value = fc.oneof(
        fc.integer({ min: -3, max: 4 }),
        fc.constantFrom(0, 2 ** 31, 2 ** 53, -0, 1e308, 1.5, Number.MAX_SAFE_INTEGER),
        fc.constantFrom(
          'read-only',
          'read-write',
          'owner',
          '',
          'x@example.com',
          '\ud800',
          '\u0000',
        ),
        fc.string({ maxLength: 20 }),
        fc.constant(null),
        fc.boolean(),
        fc.jsonValue({ maxDepth: 2 }),
      )
      const body = fc.oneof(
        fc.dictionary(fc.constantFrom(...KEYS), value).map((object) => JSON.stringify(object)),
        fc.jsonValue({ maxDepth: 3 }).map((json) => JSON.stringify(json)),
        fc.string({ maxLength: 60 }),
      )
      const request = fc.record({
        method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD'),
        path: fc.constantFrom(...PATHS),
        body: fc.option(body, { nil: undefined }),
        who: fc.constantFrom('owner', 'other', 'nobody', 'garbage'),
        contentType: fc.constantFrom(undefined, 'application/json', 'text/plain'),
      })

      await fc.assert(
        fc.asyncProperty(request, async (input) => {
          const headers: Record<string, string> = {}
          if (input.contentType !== undefined) headers['content-type'] = input.contentType
          if (input.who === 'owner') headers.authorization = `Bearer ${owner.token}`
          if (input.who === 'other') headers.authorization = `Bearer ${other.token}`
          if (input.who === 'garbage') headers.authorization = 'Bearer a.b.c'
          const options: InjectOptions = { method: input.method, url: input.path, headers }
          if (input.body !== undefined) options.payload = input.body
          // Logging out would end the run's tokens; it is covered elsewhere.
          if (input.path === '/v1/auth/logout') return
          const response = await app.inject(options)
          assert.ok(
            response.statusCode < 500,
            `${input.method} ${input.path} ${String(input.body)} → ${response.statusCode} ${response.body}`,
          )
          if (response.statusCode >= 400 && input.method !== 'HEAD') {
            const parsed = JSON.parse(response.body) as Record<string, unknown>
            assert.ok(
              'error' in parsed || 'message' in parsed || 'Message' in parsed,
              response.body,
            )
            assert.doesNotMatch(
              response.body,
              /stack|exception|\/work\/|node_modules|sqlite|postgres/i,
            )
          }
        }),
        { numRuns: 600 },
      )
      const { services } = openServices(environment)
      assert.equal((await services.audit.verify()).ok, true)
    })
  })
}
