import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify'

import type { SecretView } from '../../domain/vault/vault-service.js'
import { AppError, notFound } from '../../errors.js'
import { principalOf } from '../../http/authenticate.js'
import { contextOf } from '../../http/request-context.js'
import type { RouteDeps } from './context.js'
import { MAX_LENGTH } from './schemas.js'

/**
 * The original's later API (docs/surfaces/2-secrets-v1.md "Later API"), which its companion CLI
 * pw4devs speaks: users named by `user_email` and groups by `group_name` where the documented
 * API takes ids. A request that uses a later key gets the later answer; every other request keeps
 * its documented one.
 */
const laterRequests = new WeakSet<FastifyRequest>()

/** True when the request named a user or group the later way (and so gets the later answer). */
export const usesLaterKeys = (request: FastifyRequest): boolean => laterRequests.has(request)

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const named = (value: unknown): value is string => typeof value === 'string' && value !== ''

/** Printable, well-formed text of a sane length: anything else never names a user or group. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const PRINTABLE = /^[^\u0000-\u001f\u007f\ud800-\udfff]*$/u
function checkName(field: 'user_email' | 'group_name', value: string): void {
  const max = field === 'user_email' ? MAX_LENGTH.user_email : MAX_LENGTH.group_name
  if (value.length > max) {
    throw new AppError('VALIDATION_FAILED', 'Invalid request', {
      issues: [{ location: 'body', path: [field], kind: 'too_long', message: 'too long' }],
    })
  }
  if (!PRINTABLE.test(value)) {
    throw new AppError('VALIDATION_FAILED', 'Invalid request', {
      issues: [{ location: 'body', path: [field], kind: 'format', message: 'not printable' }],
    })
  }
}

/**
 * A preValidation hook (after authentication, before the schema) that turns `group_name` into
 * `group_id` and `user_email` into `user_id` when the id is absent, so the documented schema,
 * rules and service do the rest. Naming a user by e-mail is a lookup: it spends the lookup's
 * budget (per address and per account) and answers an unknown e-mail as the lookup does (404).
 */
export function translateLaterKeys(
  { services, lookupLimiter }: RouteDeps,
  keys: { user?: boolean; group?: boolean },
): preValidationAsyncHookHandler {
  return async (request) => {
    const body = request.body
    if (!isRecord(body)) return
    if (keys.group === true && body.group_id === undefined && named(body.group_name)) {
      laterRequests.add(request)
      checkName('group_name', body.group_name)
      const id = await services.groupSecrets.idByName(body.group_name)
      if (id === undefined) throw notFound('group')
      body.group_id = id
    }
    if (keys.user === true && body.user_id === undefined && named(body.user_email)) {
      laterRequests.add(request)
      checkName('user_email', body.user_email)
      const principal = principalOf(request)
      await lookupLimiter.hit(`v1-user-lookup:${request.ip}`)
      await lookupLimiter.hit(`v1-user-lookup-account:${principal.userId}`)
      const user = await services.directory.findByEmail(
        principal,
        body.user_email,
        contextOf(request),
      )
      body.user_id = user.id
    }
  }
}

/** Go's `[]byte` in JSON: base64 of the bytes, here the UTF-8 bytes of the text as stored. */
const goBytes = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

/**
 * A secret as the later API's records carry it (the CLI's `SecretRecord`): `id`, and
 * `encrypted_data` and `iv` as Go byte slices, which the CLI decodes back to the strings it sent.
 */
export const toLaterSecret = (secret: SecretView) => ({
  id: secret.id,
  name: secret.name,
  encrypted_data: goBytes(secret.encryptedData),
  iv: secret.iv === null ? null : goBytes(secret.iv),
  owner_id: secret.ownerId,
  created_at: secret.createdAt,
  updated_at: secret.updatedAt,
})

/**
 * The documented read of one secret. A secret written with an `iv` (only the later API writes
 * one) is answered as the later API answered it, with `id` and both values as Go byte slices;
 * every other secret exactly as documented.
 */
export function withLaterFields<T extends object>(data: T, secret: SecretView) {
  if (secret.iv === null) return data
  const later = toLaterSecret(secret)
  return { ...data, id: later.id, encrypted_data: later.encrypted_data, iv: later.iv }
}
