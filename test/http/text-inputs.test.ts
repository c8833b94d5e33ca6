import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { systemContext } from '../../src/domain/audit/types.js'
import { buildTestApp, openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { json, signUp } from '../helpers/http.js'

/**
 * Every text input of every route in the OpenAPI document, with a NUL and with a lone surrogate,
 * answers a 4xx on both stores (issue 12, finding 8): never a 500, never a 2xx.
 */

interface SchemaNode {
  type?: string | string[]
  properties?: Record<string, SchemaNode>
  anyOf?: SchemaNode[]
}
interface Operation {
  parameters?: { name: string; in: string; schema?: SchemaNode }[]
  requestBody?: { content?: Record<string, { schema?: SchemaNode }> }
}
interface Document {
  paths: Record<string, Record<string, Operation>>
}

const BAD_TEXT = { nul: 'a\u0000b@example.com', surrogate: 'a\ud800b@example.com' }

const isString = (schema: SchemaNode | undefined): boolean =>
  schema?.type === 'string' ||
  (Array.isArray(schema?.type) && schema.type.includes('string')) ||
  (schema?.anyOf ?? []).some(isString)

/** A plausible value for every property, so the bad one is what the route judges. */
function filler(schema: SchemaNode | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    out[name] = isString(property) ? `filler-${name}@example.com` : 1
  }
  return out
}

for (const dialect of DIALECTS) {
  describe(`text inputs with NUL or a lone surrogate (${dialect})`, () => {
    it('are a 4xx on every route and every text field', async (t) => {
      const environment = await buildTestApp(t, {
        dialect,
        env: { LOCK_DEBUG_VIEWS: 'true', LOCK_RATE_LIMITS: '1000/second' },
      })
      const { app } = environment
      const admin = await signUp(app)
      const { services } = openServices(environment)
      await services.accounts.setRole(admin.username, 'admin', systemContext('test'))
      const document = json(await app.inject({ method: 'GET', url: '/openapi.json' })) as Document
      let checked = 0
      for (const [template, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
          const bodySchema = operation.requestBody?.content?.['application/json']?.schema
          const parameters = operation.parameters ?? []
          const pathParams = parameters.filter((p) => p.in === 'path')
          const queryParams = parameters.filter((p) => p.in === 'query' && isString(p.schema))
          const targets: { where: 'body' | 'query' | 'path'; name: string }[] = [
            ...Object.entries(bodySchema?.properties ?? {})
              .filter(([, schema]) => isString(schema))
              .map(([name]) => ({ where: 'body' as const, name })),
            ...queryParams.map((p) => ({ where: 'query' as const, name: p.name })),
            ...pathParams.map((p) => ({ where: 'path' as const, name: p.name })),
          ]
          for (const target of targets) {
            for (const [kind, bad] of Object.entries(BAD_TEXT)) {
              const body = filler(bodySchema)
              const query = new URLSearchParams(
                queryParams.map((p): [string, string] => [p.name, `filler-${p.name}@example.com`]),
              )
              let path = template
              for (const p of pathParams) path = path.replace(`{${p.name}}`, 'filler')
              if (target.where === 'body') body[target.name] = bad
              if (target.where === 'query')
                query.set(target.name, bad.replace('\ud800', '%ED%A0%80'))
              if (target.where === 'path')
                path = template.replace(
                  `{${target.name}}`,
                  encodeURIComponent(bad.replace('\ud800', '')) +
                    (kind === 'surrogate' ? '%ED%A0%80' : ''),
                )
              const search = query.toString().replaceAll('%25ED%25A0%2580', '%ED%A0%80')
              const response = await app.inject({
                method: method.toUpperCase() as 'GET',
                url: `${path}${search === '' ? '' : `?${search}`}`,
                headers: {
                  authorization: `Bearer ${admin.token}`,
                  'content-type': 'application/json',
                },
                ...(bodySchema === undefined ? {} : { payload: JSON.stringify(body) }),
              })
              const label = `${method.toUpperCase()} ${template} ${target.where}.${target.name} (${kind}): ${response.statusCode} ${response.body}`
              // Sealed values (secrets, vault names) may hold NUL: never a 500, but may succeed.
              const sealed =
                kind === 'nul' &&
                target.where === 'body' &&
                ['secret', 'encrypted_data', 'name'].includes(target.name)
              assert.ok(
                response.statusCode >= (sealed ? 200 : 400) && response.statusCode < 500,
                label,
              )
              checked += 1
            }
          }
        }
      }
      assert.ok(checked > 40, `only ${checked} inputs checked`)
    })
  })
}
