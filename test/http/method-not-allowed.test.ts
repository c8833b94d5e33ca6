import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'

import { installDialect } from '../../src/http/dialect.js'
import { renderFastApi } from '../../src/http/fastapi-dialect.js'
import { answerMethodNotAllowed } from '../../src/http/method-not-allowed.js'
import { json } from '../helpers/http.js'

/**
 * A surface's 405s come from the routes it registers (src/http/method-not-allowed.ts): a route
 * added to a surface gets its 405 answers with no line that lists its path or methods.
 */
describe('405 answers derived from the registered routes', () => {
  const build = async (
    routes: (scope: FastifyInstance) => void,
  ): Promise<{ app: FastifyInstance; runs: string[] }> => {
    const app = Fastify()
    const runs: string[] = []
    await app.register(
      async (scope) => {
        installDialect(scope, renderFastApi)
        answerMethodNotAllowed(scope)
        routes(scope)
        scope.get('/counted', { exposeHeadRoute: false }, async () => {
          runs.push('counted')
          return { ok: true }
        })
      },
      { prefix: '/p' },
    )
    await app.ready()
    return { app, runs }
  }

  const allowOf = async (app: FastifyInstance, method: 'PUT' | 'HEAD', url: string) => {
    const response = await app.inject({ method, url })
    return { status: response.statusCode, allow: response.headers.allow }
  }

  it('refuses every method a new path does not serve, with Allow in a fixed order', async (t) => {
    const { app } = await build((scope) => {
      scope.patch('/new', async () => ({}))
      scope.post('/new', async () => ({}))
      scope.get('/new', async () => ({}))
    })
    t.after(() => app.close())
    const put = await app.inject({ method: 'PUT', url: '/p/new' })
    assert.equal(put.statusCode, 405)
    assert.equal(put.headers.allow, 'GET, POST, PATCH, HEAD')
    assert.deepEqual(json(put), { detail: 'Method Not Allowed' })
    assert.equal((await app.inject({ method: 'DELETE', url: '/p/new' })).statusCode, 405)
    // The GET's automatic HEAD twin serves HEAD.
    assert.equal((await app.inject({ method: 'HEAD', url: '/p/new' })).statusCode, 200)
  })

  it('refuses HEAD where no GET twin serves it, without running the GET', async (t) => {
    const { app, runs } = await build((scope) => {
      scope.post('/only-post', async () => ({}))
      scope.delete('/counted', async () => ({}))
    })
    t.after(() => app.close())
    assert.deepEqual(await allowOf(app, 'HEAD', '/p/only-post'), { status: 405, allow: 'POST' })
    assert.deepEqual(await allowOf(app, 'HEAD', '/p/counted'), {
      status: 405,
      allow: 'GET, DELETE',
    })
    assert.deepEqual(runs, [])
    assert.equal((await app.inject({ method: 'GET', url: '/p/counted' })).statusCode, 200)
    assert.deepEqual(runs, ['counted'])
  })

  it('adds nothing for a path that serves every method', async (t) => {
    const { app } = await build((scope) => {
      scope.route({
        method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        url: '/all',
        handler: async () => ({}),
      })
    })
    t.after(() => app.close())
    assert.equal((await app.inject({ method: 'PUT', url: '/p/all' })).statusCode, 200)
    assert.equal((await app.inject({ method: 'HEAD', url: '/p/all' })).statusCode, 200)
  })

  it('leaves the paths of a scope inside to that scope, which speaks its own dialect', async (t) => {
    const app = Fastify()
    t.after(() => app.close())
    await app.register(async (scope) => {
      installDialect(scope, renderFastApi)
      // Queued first, so its routes are in before this scope's 405 answers are made.
      void scope.register(async (inner) => {
        inner.get('/inner', async () => ({}))
      })
      answerMethodNotAllowed(scope)
      scope.get('/outer', async () => ({}))
    })
    await app.ready()
    assert.equal((await app.inject({ method: 'PUT', url: '/outer' })).statusCode, 405)
    assert.equal((await app.inject({ method: 'PUT', url: '/inner' })).statusCode, 404)
  })
})
