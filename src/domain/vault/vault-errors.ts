import { AppError, invalidInput } from '../../errors.js'
import type { DomainInput } from '../../errors.js'

/**
 * Why the vault refused an authenticated caller; each surface words these itself (surface 2 in
 * the contract's exact sentences). Kept as one closed list so a surface can map every one.
 */
export type VaultDenial =
  | 'secret.read'
  | 'secret.update'
  | 'secret.delete'
  | 'secret.manage'
  | 'group.share'
  | 'group.read'
  | 'group.update'
  | 'group.delete'
  | 'group.add-member'
  | 'group.remove-member'
  | 'group.secrets'

/** What a vault NOT_FOUND was about; `id` is the id the caller named. */
export type VaultMissing =
  | 'secret'
  | 'user'
  | 'group'
  | 'user-share'
  | 'group-share'
  | 'member'
  /** A version of a secret that is not kept (`id` is the version number). */
  | 'version'

/** Which limit or uniqueness rule a vault CONFLICT hit. */
export type VaultConflict = 'groupName' | 'member' | 'secret-limit' | 'group-limit' | 'member-limit'

export const denied = (subject: VaultDenial): AppError =>
  new AppError('FORBIDDEN', 'Forbidden', { subject })

export const missing = (subject: VaultMissing, id: number): AppError =>
  new AppError('NOT_FOUND', 'Not found', { subject, id })

export const clash = (field: VaultConflict): AppError =>
  new AppError('CONFLICT', 'Conflict', { field })

/** An input that names something it may not: one input, one sentence. */
export const invalidField = (field: DomainInput, message: string): AppError =>
  invalidInput(field, 'other', message)
