import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'

import type { Services } from '../services.js'

const Status = Type.Object({ status: Type.String(), reason: Type.Optional(Type.String()) })

/**
 * Probes for orchestrators: `GET /healthz` says the process serves HTTP at all; `GET /readyz`
 * says it can do its job (store reachable, schema current). Neither needs a token, and neither
 * says more than a reason code.
 */
export function registerHealth(app: FastifyInstance, services: Pick<Services, 'health'>): void {
  app.get(
    '/healthz',
    { schema: { tags: ['service'], summary: 'Liveness', response: { 200: Status } } },
    () => ({ status: 'ok' }),
  )
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['service'],
        summary: 'Readiness: store reachable and migrations current',
        response: { 200: Status, 503: Status },
      },
    },
    async (_request, reply) => {
      const readiness = await services.health.readiness()
      return readiness.ready
        ? { status: 'ready' }
        : reply.code(503).send({ status: 'unavailable', reason: readiness.reason })
    },
  )
}
