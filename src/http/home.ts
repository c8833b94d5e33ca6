import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'

/** `GET /`: what this service is and where its documentation lives (readiness probes hit it too). */
export function registerHome(
  app: FastifyInstance,
  version: string,
  surfaces: readonly { name: string; base: string }[],
): void {
  const description = {
    name: 'Strongroom',
    version,
    description:
      'Secret storage: personal secrets, a shared vault and one-time links, with a tamper-evident audit log.',
    docs: '/docs',
    openapi: '/openapi.json',
    app: '/app',
    surfaces,
  }
  app.get(
    '/',
    {
      schema: {
        summary: 'Service description',
        tags: ['service'],
        response: {
          200: Type.Object({
            name: Type.String(),
            version: Type.String(),
            description: Type.String(),
            docs: Type.String(),
            openapi: Type.String(),
            app: Type.String(),
            surfaces: Type.Array(Type.Object({ name: Type.String(), base: Type.String() })),
          }),
        },
      },
    },
    () => description,
  )
}
