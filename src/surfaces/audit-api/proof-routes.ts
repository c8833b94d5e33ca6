import type { FastifyInstance, preValidationAsyncHookHandler } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'

import { checkpointJson } from '../../crypto/checkpoint.js'
import type { AuditTrail } from '../../domain/audit/audit-trail.js'
import { principalOf } from '../../http/authenticate.js'
import {
  CheckpointSchema,
  ConsistencyQuery,
  ConsistencySchema,
  ErrorResponse,
  InclusionQuery,
  InclusionSchema,
  PublicKeySchema,
} from './schemas.js'

const TAGS = ['Audit (/v1/audit)']
const BEARER = [{ bearer: [] }]

/**
 * What an outside auditor needs (docs/audit.md): the public key that signs checkpoints (no
 * login: it is public), the latest signed checkpoint to keep outside the store, and RFC 9162
 * proofs that an event is in the log and that one checkpoint extends another.
 */
export function registerProofRoutes(
  parent: FastifyInstance,
  auditTrail: AuditTrail,
  authenticated: preValidationAsyncHookHandler,
): void {
  const scope = parent.withTypeProvider<TypeBoxTypeProvider>()

  scope.get(
    '/audit/public-key',
    {
      schema: {
        tags: TAGS,
        summary: 'The Ed25519 key that signs audit checkpoints',
        response: { 200: PublicKeySchema },
      },
    },
    () => {
      const { algorithm, keyId, key } = auditTrail.publicKey()
      return { algorithm, key_id: keyId, public_key: key }
    },
  )

  scope.get(
    '/audit/checkpoint',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'The latest signed checkpoint (tree size and Merkle root)',
        security: BEARER,
        response: { 200: CheckpointSchema, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async () => checkpointJson(await auditTrail.latestCheckpoint()),
  )

  scope.get(
    '/audit/proof/inclusion',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'Proof that an event is in the log (own events; admins: any)',
        security: BEARER,
        querystring: InclusionQuery,
        response: {
          200: InclusionSchema,
          401: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
          422: ErrorResponse,
        },
      },
    },
    async (request) => {
      const proof = await auditTrail.inclusion(
        principalOf(request),
        request.query.event,
        request.query.tree_size,
      )
      return {
        event: proof.event,
        leaf_index: proof.leafIndex,
        checkpoint: checkpointJson(proof.checkpoint),
        audit_path: proof.path,
      }
    },
  )

  scope.get(
    '/audit/proof/consistency',
    {
      preValidation: authenticated,
      schema: {
        tags: TAGS,
        summary: 'Proof that one checkpoint is a prefix of a later one',
        security: BEARER,
        querystring: ConsistencyQuery,
        response: {
          200: ConsistencySchema,
          401: ErrorResponse,
          404: ErrorResponse,
          422: ErrorResponse,
        },
      },
    },
    async (request) => {
      const proof = await auditTrail.consistency(request.query.first, request.query.second)
      return {
        first: checkpointJson(proof.first),
        second: checkpointJson(proof.second),
        consistency_path: proof.path,
      }
    },
  )
}
