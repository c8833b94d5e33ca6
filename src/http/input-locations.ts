import { AppError } from '../errors.js'
import type { DomainInput, ValidationIssue } from '../errors.js'

/**
 * Where each input a service can refuse arrives, and what the wire calls it. Services name inputs
 * in domain words (`DomainInput`); every surface that takes one takes it in the same place under
 * the same key, so one table serves them all, and a new domain input does not compile until it
 * has its place here.
 */
const WIRE: Readonly<Record<DomainInput, Pick<ValidationIssue, 'location' | 'path'>>> = {
  username: { location: 'body', path: ['username'] },
  userId: { location: 'body', path: ['user_id'] },
  cursor: { location: 'query', path: ['cursor'] },
  first: { location: 'query', path: ['first'] },
}

/**
 * The error with its domain-named inputs turned into located issues, as if a schema had found
 * them, so each surface renders them exactly like its own validation failures.
 */
export function locateInputs(error: AppError): AppError {
  const { inputs, ...details } = error.details
  if (inputs === undefined) return error
  const located = inputs.map(({ input, kind, message }): ValidationIssue => {
    const { location, path } = WIRE[input]
    return { location, path: [...path], kind, message }
  })
  return new AppError(error.code, error.message, {
    ...details,
    issues: [...(details.issues ?? []), ...located],
  })
}
