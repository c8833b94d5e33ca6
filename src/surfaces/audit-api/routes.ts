import { Readable } from 'node:stream'

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

import { principalOf, requireAuth } from '../../http/authenticate.js'
import { installDialect } from '../../http/dialect.js'
import { sendExactJsonType } from '../../http/exact-json-type.js'
import { answerMethodNotAllowed } from '../../http/method-not-allowed.js'
import { contextOf } from '../../http/request-context.js'
import type { Services } from '../../services.js'
import { renderAuditApi } from './dialect.js'
import { registerProofRoutes } from './proof-routes.js'
import { AuditListQuery, AuditPageSchema, ErrorResponse, NdjsonStream } from './schemas.js'

const TAGS = ['Audit (/v1/audit)']
const BEARER = [{ bearer: [] }]

/**
 * The audit trail as a product: `GET /v1/audit` (filtered, newest first, cursor paging; admins
 * see everything, everyone else their own events) and `GET /v1/audit/export` (NDJSON of the whole
 * sealed log with its signed checkpoints, for `strongroom audit verify --from-export`); the
 * checkpoint and proof routes are in proof-routes.ts. Mounted with prefix /v1, where the Secrets
 * v1 surface answers unknown paths.
 */
export const auditApi: FastifyPluginAsyncTypebox<{
  services: Pick<Services, 'accounts' | 'auditTrail'>
}> = async (scope, { services }) => {
  installDialect(scope, renderAuditApi, { notFound: false })
  answerMethodNotAllowed(scope)
  sendExactJsonType(scope)
  const { accounts, auditTrail } = services
  const authenticated = requireAuth((token) => accounts.authenticate(token))

  scope.get(
    '/audit',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'Audit events, newest first (admins: all; others: their own)',
        security: BEARER,
        querystring: AuditListQuery,
        response: {
          200: AuditPageSchema,
          401: ErrorResponse,
          403: ErrorResponse,
          422: ErrorResponse,
        },
      },
    },
    async (request) => {
      const { type, actor, since, until, cursor, limit } = request.query
      const page = await auditTrail.list(
        principalOf(request),
        {
          ...(type === undefined ? {} : { types: type.split(',') }),
          ...(actor === undefined ? {} : { actorId: actor }),
          ...(since === undefined ? {} : { since: new Date(since).toISOString() }),
          ...(until === undefined ? {} : { until: new Date(until).toISOString() }),
          ...(cursor === undefined ? {} : { cursor }),
          limit,
        },
        contextOf(request),
      )
      return { events: page.events, next_cursor: page.nextCursor }
    },
  )

  scope.get(
    '/audit/export',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary:
          'The whole sealed audit log as NDJSON, verifiable with the public key (admins only)',
        security: BEARER,
        response: {
          200: {
            description: 'One audit event (JSON) per line',
            content: { 'application/x-ndjson': { schema: NdjsonStream } },
          },
          401: ErrorResponse,
          403: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const exported = await auditTrail.export(principalOf(request), contextOf(request))
      const lines = Readable.from(
        (async function* () {
          for await (const line of exported) yield `${JSON.stringify(line)}\n`
        })(),
      )
      return (
        reply
          .type('application/x-ndjson; charset=utf-8')
          .header('Content-Disposition', 'attachment; filename="strongroom-audit.ndjson"')
          // Fastify pipes a stream as is, which the schema-derived reply type cannot express.
          .send(lines as unknown as string)
      )
    },
  )

  registerProofRoutes(scope, auditTrail, authenticated)
}
