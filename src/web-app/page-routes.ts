import type { FastifyInstance, FastifyReply } from 'fastify'

import { loadStaticFiles } from './static-files.js'
import type { StaticFile } from './static-files.js'

/** Hashed names never change content, so browsers may keep them; pages are always fresh. */
const ASSET_CACHE = 'public, max-age=31536000, immutable'

/**
 * The pages and assets of the web app, from memory. A reveal page (`/app/s/<key>`) is the same
 * static file for every key: serving it reads nothing from the store, so a link previewer or
 * mail scanner that fetches the link (any GET, any user agent) cannot burn or even probe it.
 */
export function registerPageRoutes(scope: FastifyInstance, files = loadStaticFiles()): void {
  const send = (reply: FastifyReply, file: StaticFile | undefined, cache: string) => {
    if (file === undefined) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web app is not built: run `npm run build`.\n')
    }
    return reply.header('Cache-Control', cache).type(file.type).send(file.body)
  }
  const page = (name: string) => () => files.get(name)

  const pages: readonly (readonly [string, string])[] = [
    ['/', 'index.html'],
    ['/vault', 'vault.html'],
    ['/s/:key', 'reveal.html'],
  ]
  for (const [url, name] of pages) {
    const file = page(name)
    scope.get(url, { schema: { hide: true } }, (_request, reply) => send(reply, file(), 'no-store'))
  }
  scope.get<{ Params: { name: string } }>(
    '/assets/:name',
    { schema: { hide: true } },
    (request, reply) => {
      const file = files.get(`assets/${request.params.name}`)
      if (file === undefined) {
        reply.callNotFound()
        return
      }
      return send(reply, file, ASSET_CACHE)
    },
  )
}
