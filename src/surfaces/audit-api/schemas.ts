import { Type } from 'typebox'

/** The audit API's query and responses. Response schemas list every field a client may see. */

/**
 * An RFC 3339 instant that JavaScript can represent. RFC 3339 §5.6 allows a leap second (`:60`),
 * which `new Date()` cannot hold; such a bound is refused (422) rather than guessed at.
 */
const Instant = Type.String({
  format: 'date-time',
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:[0-5]\\d',
})

export const AuditListQuery = Type.Object({
  /** Comma-separated event types; `vault.*` matches a family. */
  type: Type.Optional(Type.String({ maxLength: 512, pattern: '^[a-z*.-]+(,[a-z*.-]+)*$' })),
  actor: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  since: Type.Optional(Instant),
  until: Type.Optional(Instant),
  cursor: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
})

export const AuditEventSchema = Type.Object({
  /** Position in the log; null while committed but not yet sealed (well under a second). */
  seq: Type.Union([Type.Integer(), Type.Null()]),
  id: Type.String(),
  occurred_at: Type.String(),
  type: Type.String(),
  outcome: Type.String(),
  actor_id: Type.Union([Type.Integer(), Type.Null()]),
  target_type: Type.Union([Type.String(), Type.Null()]),
  target_id: Type.Union([Type.String(), Type.Null()]),
  client_ip: Type.String(),
  user_agent: Type.String(),
  details: Type.Record(
    Type.String(),
    Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
  ),
  leaf_hash: Type.Union([Type.String(), Type.Null()]),
})

export const AuditPageSchema = Type.Object({
  events: Type.Array(AuditEventSchema),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
})

export const ErrorResponse = Type.Object({
  error: Type.Union([Type.String(), Type.Record(Type.String(), Type.String())]),
})

export const NdjsonStream = Type.String({
  description:
    'One JSON object per line: a header with the public key, every signed checkpoint, every sealed event oldest first, and an end line',
})

const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' })

export const CheckpointSchema = Type.Object({
  tree_size: Type.Integer(),
  root_hash: Hex64,
  issued_at: Type.String(),
  key_id: Type.String(),
  signature: Type.String({ description: 'Base64 Ed25519 signature of the checkpoint text' }),
})

export const PublicKeySchema = Type.Object({
  algorithm: Type.Literal('Ed25519'),
  key_id: Type.String(),
  public_key: Type.String({ description: 'Raw 32-byte Ed25519 public key, base64' }),
})

export const InclusionQuery = Type.Object({
  event: Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9a-f-]+$' }),
  tree_size: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
})

export const InclusionSchema = Type.Object({
  event: AuditEventSchema,
  leaf_index: Type.Integer(),
  checkpoint: CheckpointSchema,
  audit_path: Type.Array(Hex64),
})

export const ConsistencyQuery = Type.Object({
  first: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  second: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
})

export const ConsistencySchema = Type.Object({
  first: CheckpointSchema,
  second: CheckpointSchema,
  consistency_path: Type.Array(Hex64),
})
