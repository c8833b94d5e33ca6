import type { Kysely } from 'kysely'

import type { Database } from '../../db/schema.js'
import type { AuditDetails, AuditType } from '../audit/types.js'
import type { Principal } from '../principal.js'
import type { RequestContext } from '../request-context.js'
import { accessTo } from './access.js'
import type { Acted, AuditedStep } from './audited-step.js'
import { deny, done, refused } from './outcome.js'
import type { Outcome } from './outcome.js'
import { allows } from './permission.js'
import type { Granted, SecretAction } from './permission.js'
import { findSecret } from './secrets-repo.js'
import type { SecretRow } from './secrets-repo.js'
import { denied, missing } from './vault-errors.js'
import type { VaultDenial } from './vault-errors.js'

const DENIAL: Readonly<Record<SecretAction, VaultDenial>> = {
  read: 'secret.read',
  update: 'secret.update',
  delete: 'secret.delete',
  manage: 'secret.manage',
}

/** A secret the caller may act on, with the access that lets them. */
export interface AllowedSecret {
  secret: SecretRow
  access: Granted
}

/**
 * Loads the secret and checks the caller may do `action` with it. A refusal names the access the
 * caller did have, for the denied event.
 */
export async function authorizeSecret(
  trx: Kysely<Database>,
  userId: number,
  id: number,
  action: SecretAction,
): Promise<Outcome<AllowedSecret>> {
  const secret = await findSecret(trx, id)
  if (secret === undefined) return refused(missing('secret', id))
  const access = await accessTo(trx, secret, userId)
  if (access === 'none' || !allows(access, action)) return deny(denied(DENIAL[action]), { access })
  return done({ secret, access })
}

/** One request on one secret: who asks, to do what, and the audit event it is. */
export interface SecretRequest {
  principal: Principal
  secretId: number
  action: SecretAction
  type: AuditType
  context: RequestContext
  /** Details every event of the request starts with. */
  about?: AuditDetails
}

export type SecretStep = <T>(
  request: SecretRequest,
  act: (trx: Kysely<Database>, allowed: AllowedSecret) => Promise<Outcome<Acted<T>>>,
) => Promise<T>

/** `step` on a secret: guarded by `authorizeSecret`, audited with the secret as target. */
export const onSecret =
  (step: AuditedStep): SecretStep =>
  (request, act) =>
    step(
      {
        type: request.type,
        principal: request.principal,
        target: { type: 'vault-secret', id: request.secretId },
        context: request.context,
        about: request.about,
      },
      (trx) => authorizeSecret(trx, request.principal.userId, request.secretId, request.action),
      act,
    )
