import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

/**
 * One OpenAPI 3.1 document for every route of every surface, built from the routes' own schemas
 * (so it cannot drift from what the server enforces), served at /openapi.json and /api/openapi.json
 * with Swagger UI at /docs and /api/docs (docs/architecture.md "Everywhere"). Must be registered before
 * the surfaces so it sees their routes.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Strongroom',
        version,
        description:
          'Secret storage serving five published APIs from one process: Secret Storage (/), Secrets v1 (/v1), Lock (/lock), One-time (/api) and Generate (/generate, /secrets).',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  })

  const document = (): unknown => app.swagger()
  for (const prefix of ['', '/api']) {
    app.get(`${prefix}/openapi.json`, { schema: { hide: true } }, document)
    // Each UI in its own scope: the plugin decorates its instance, and two on one would collide.
    await app.register(async (scope) => {
      await scope.register(swaggerUi, {
        routePrefix: `${prefix}/docs`,
        uiConfig: { url: `${prefix}/openapi.json`, deepLinking: false },
      })
    })
  }
}
