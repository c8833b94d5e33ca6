import type { FastifyRequest } from 'fastify'

import { VAULT_LIMITS } from '../../domain/vault/limits.js'
import type { VaultDenial } from '../../domain/vault/vault-errors.js'
import type { AppError, ValidationIssue } from '../../errors.js'
import type { Rendered } from '../../http/dialect.js'
import { plainAnswer } from '../../http/plain-answer.js'
import { MAX_ID, MAX_LENGTH } from './schemas.js'

/**
 * The Secrets v1 surface's words (docs/surfaces/2-secrets-v1.md), after the Go original: `{"error": "…"}` for
 * what its framework answered (bad bodies, auth, 404, 409), `{"error": {"<field>": "…"}}` for
 * failed validation, and the routes' own sentences for refusals, `{"message"}` on secrets routes
 * and a capital `{"Message"}` on group routes. Refusals are 401, as the original answered them.
 * No message ever quotes a value the client sent, only field names this surface knows.
 */
export function renderSecretsV1(error: AppError, request: FastifyRequest): Rendered {
  switch (error.code) {
    case 'VALIDATION_FAILED':
      return renderInvalid(
        error.details.issues ?? [],
        request.body,
        RULES_BY_ROUTE[`${request.method} ${request.routeOptions.url ?? ''}`] ?? {},
        request.params,
      )
    case 'BAD_REQUEST':
      if (error.details.subject === 'group.remove-creator')
        return { status: 400, body: { Message: 'The group creator cannot be removed' } }
      return badRequest(
        error.details.subject === 'json' ? 'Request body is malformed' : 'Bad request',
      )
    case 'UNAUTHORIZED':
      if (error.details.subject === 'credentials')
        return { status: 401, body: { error: 'The provided credentials are invalid' } }
      return {
        status: 401,
        body: {
          error:
            error.details.authFailure === 'missing'
              ? 'Authorization required'
              : 'Auth token is invalid',
        },
        headers: { 'WWW-Authenticate': 'Bearer' },
      }
    case 'FORBIDDEN':
      return { status: 401, body: refusal(error.details.subject) }
    case 'NOT_FOUND':
      return {
        status: 404,
        body: { error: notFoundMessage(error.details.subject, error.details.id) },
      }
    case 'CONFLICT':
      return { status: 409, body: { error: conflictMessage(error.details.field) } }
    default:
      return plainAnswer('error', PLAIN, error.code)
  }
}

/** What the original's framework answered in one fixed sentence, at each code's usual status. */
const PLAIN = {
  METHOD_NOT_ALLOWED: 'Method not allowed',
  PAYLOAD_TOO_LARGE: 'Request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  RATE_LIMITED: 'Too many requests, try again later',
  INTERNAL: 'Internal server error',
} as const

const badRequest = (message: string): Rendered => ({ status: 400, body: { error: message } })

const REFUSALS: Readonly<Record<VaultDenial, Record<string, string>>> = {
  'secret.read': { message: 'Only owner or shared users can read a secret' },
  'secret.update': { message: 'Only owner can update a secret' },
  'secret.delete': { message: 'Only owner can delete a secret' },
  'secret.manage': { message: 'Only secret owner can manage access' },
  'group.share': { message: 'Only members of a group can share secrets with it' },
  'group.read': { Message: 'Only group members can view the group' },
  'group.update': { Message: 'Only owner can update the group' },
  'group.delete': { Message: 'Only owner can delete the group' },
  'group.add-member': { Message: 'Only owner can add members to the group' },
  'group.remove-member': { Message: 'Only owner can remove members from the group' },
  'group.secrets': { message: 'Only group members can access secrets.' },
}

function refusal(subject: string | undefined): Record<string, string> {
  return (
    (subject !== undefined && Object.hasOwn(REFUSALS, subject)
      ? REFUSALS[subject as VaultDenial]
      : undefined) ?? { error: 'Not allowed' }
  )
}

function notFoundMessage(subject: string | undefined, id: number | undefined): string {
  if (id !== undefined) {
    switch (subject) {
      case 'secret':
        return `No secret found with id: ${id}`
      case 'user':
        return `No user found with id: ${id}`
      case 'group':
        return `No group found with id: ${id}`
      case 'user-share':
        return `The secret is not shared with user: ${id}`
      case 'group-share':
        return `The secret is not shared with group: ${id}`
      case 'member':
        return `The user is not a member of the group: ${id}`
      case 'version':
        return `No version found with number: ${id}`
      default:
        break
    }
  }
  return 'The requested resource does not exist'
}

function conflictMessage(field: string | undefined): string {
  switch (field) {
    case 'email':
      return 'That email is already taken'
    case 'username':
      return 'That username is already taken'
    case 'groupName':
      return 'A group with that name already exists'
    case 'member':
      return 'That user is already a member of the group'
    case 'secret-limit':
      return `A user can own at most ${VAULT_LIMITS.secretsPerOwner} secrets`
    case 'group-limit':
      return `A user can create at most ${VAULT_LIMITS.groupsPerCreator} groups`
    case 'member-limit':
      return 'The group has as many members as it may have'
    default:
      return 'Conflict'
  }
}

/** Every field a request of this surface has; only these are ever named in a message. */
const FIELDS = new Set([
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
  'version',
  'token',
  'iv',
  'user_email',
])

const PERMISSION_RULE = "must be 'read-only' or 'read-write'"
const TOO_SHORT: Readonly<Record<string, string>> = {
  password: 'must be at least 8 characters',
  group_name: 'must be at least 5 characters',
  new_group_name: 'must be at least 5 characters',
}
const FORMAT: Readonly<Record<string, string>> = {
  email: 'is invalid',
  username: 'is invalid',
  name: 'must be valid Unicode text',
  encrypted_data: 'must be valid Unicode text',
  user_email: 'is invalid',
  group_name: 'must not contain control characters',
}

/**
 * Registration words its two fields by one rule each, whatever failed, as the Go original did
 * (docs/surfaces/2-secrets-v1.md): an e-mail that is empty, null or malformed "is invalid", and a
 * password that is missing or short "must be at least 8 characters".
 */
const REGISTER_RULES: Readonly<Record<string, string>> = {
  email: FORMAT.email ?? 'is invalid',
  password: TOO_SHORT.password ?? 'must be at least 8 characters',
}

/** The original's reset (`PUT /v1/auth/reset`) words its password as registration does. */
const RULES_BY_ROUTE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'POST /v1/auth/register': REGISTER_RULES,
  'PUT /v1/auth/reset': { password: TOO_SHORT.password ?? 'must be at least 8 characters' },
}

/**
 * Failed validation, the way the Go original judged it: a body that is missing, not an object,
 * or has a field of the wrong JSON type could not be decoded (400); otherwise each failing field
 * gets one sentence (422). As in Go, `null`, `""` and ids ≤ 0 count as missing.
 */
function renderInvalid(
  issues: readonly ValidationIssue[],
  body: unknown,
  rules: Readonly<Record<string, string>>,
  params: unknown,
): Rendered {
  const fields: Record<string, { rank: number; message: string }> = {}
  for (const issue of issues) {
    const [field, ...deeper] = issue.path
    if (issue.location === 'body' && field === undefined) {
      return badRequest(
        body === undefined ? 'Request body cannot be empty' : 'Request body must be a JSON object',
      )
    }
    if (field === undefined || deeper.length > 0 || !FIELDS.has(field)) {
      return badRequest('Request body is malformed')
    }
    // Path parameters (the versions routes) are judged like body fields, from their text.
    const value =
      issue.location === 'body' && isRecord(body)
        ? body[field]
        : issue.location === 'params' && isRecord(params)
          ? Number(params[field])
          : undefined
    if (issue.location === 'body' && issue.kind === 'type' && value !== null) {
      return badRequest(`Request body contains an invalid value for the "${field}" field`)
    }
    const rule = rules[field]
    const judged =
      rule !== undefined && issue.kind !== 'too_long'
        ? { rank: 0, message: rule }
        : judge(field, issue, value)
    const seen = fields[field]
    if (seen === undefined || judged.rank < seen.rank) fields[field] = judged
  }
  const error: Record<string, string> = {}
  for (const [field, { message }] of Object.entries(fields)) error[field] = message
  return { status: 422, body: { error } }
}

/** One field's sentence; the lowest rank wins when a field fails several rules. */
function judge(
  field: string,
  issue: ValidationIssue,
  value: unknown,
): { rank: number; message: string } {
  const missing = field === 'permission' ? PERMISSION_RULE : 'must be provided'
  switch (issue.kind) {
    case 'missing':
      return { rank: 0, message: missing }
    case 'type':
      return { rank: 0, message: value === null ? missing : 'is invalid' }
    case 'too_short':
      return { rank: 1, message: value === '' ? missing : (TOO_SHORT[field] ?? missing) }
    case 'range':
      return {
        rank: 1,
        message:
          typeof value === 'number' && value < 1 ? missing : `must not be greater than ${MAX_ID}`,
      }
    case 'enum':
      return { rank: 1, message: PERMISSION_RULE }
    case 'too_long':
      return {
        rank: 2,
        message: `must not be more than ${MAX_LENGTH[field as keyof typeof MAX_LENGTH]} characters`,
      }
    case 'format':
      return { rank: 3, message: FORMAT[field] ?? 'must not contain control characters' }
    case 'other':
      return { rank: 4, message: issue.message }
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
