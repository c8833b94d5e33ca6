/**
 * The one error type services throw. A service names *what* went wrong with a stable code; each
 * surface turns the code into its own documented status and body (docs/architecture.md "Everywhere"), so
 * no HTTP detail leaks into the domain and no dialect leaks into another surface.
 */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION_FAILED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'INTERNAL'

/**
 * Why a request could not be authenticated; the Lock surface words each one differently.
 * `bad-scheme`: an Authorization header that is not `Bearer <token>`; `malformed`: a token that
 * is not a JWT at all.
 */
export type AuthFailure =
  'missing' | 'bad-scheme' | 'malformed' | 'invalid' | 'expired' | 'revoked' | 'user-gone'

/** Which rule an input broke; every surface words these in its own sentences. */
export type IssueKind =
  'missing' | 'type' | 'format' | 'too_short' | 'too_long' | 'range' | 'enum' | 'other'

/**
 * One failed input rule, located the way FastAPI and Ajv locate them. Only the HTTP layer makes
 * these: it knows where an input came from and what the wire calls it.
 */
export interface ValidationIssue {
  location: 'body' | 'query' | 'params' | 'headers'
  /** Path inside the location, e.g. `['email']`; empty when the whole part is wrong. */
  path: string[]
  kind: IssueKind
  message: string
}

/**
 * The inputs a service's own rules can refuse, in the domain's words. A service never knows
 * whether an input came in a body, a query or a path, nor how a surface spells it; the HTTP
 * layer places each one (src/http/input-locations.ts) before a surface renders it.
 */
export type DomainInput = 'username' | 'userId' | 'cursor' | 'first'

/** One input a service refused, named in domain words. */
export interface InputIssue {
  input: DomainInput
  kind: IssueKind
  message: string
}

export interface AppErrorDetails {
  /** Which unique field collided, for CONFLICT. */
  field?: string
  authFailure?: AuthFailure
  retryAfterSeconds?: number
  /** Input rules a request broke, located; made by the HTTP layer (schemas, guards). */
  issues?: ValidationIssue[]
  /** Input rules a service found broken, in domain words; located before any surface sees them. */
  inputs?: InputIssue[]
  /** Methods a path does answer, for METHOD_NOT_ALLOWED. */
  allow?: string[]
  /** What a NOT_FOUND, FORBIDDEN or CONFLICT was about, so a surface can pick its sentence. */
  subject?: string
  /** Which one it was about, when the caller named it by id (`No secret found with id: 7`). */
  id?: number
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: AppErrorDetails

  constructor(code: ErrorCode, message: string, details: AppErrorDetails = {}) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.details = details
  }
}

export const unauthorized = (authFailure: AuthFailure = 'invalid'): AppError =>
  new AppError('UNAUTHORIZED', 'Not authorized', { authFailure })

export const notFound = (subject?: string): AppError =>
  new AppError('NOT_FOUND', 'Not found', subject === undefined ? {} : { subject })

export const forbidden = (subject?: string): AppError =>
  new AppError('FORBIDDEN', 'Forbidden', subject === undefined ? {} : { subject })

export const conflict = (field: string): AppError =>
  new AppError('CONFLICT', 'Already in use', { field })

/** A service's refusal of one input it was given, for VALIDATION_FAILED. */
export const invalidInput = (input: DomainInput, kind: IssueKind, message: string): AppError =>
  new AppError('VALIDATION_FAILED', message, { inputs: [{ input, kind, message }] })

export const rateLimited = (retryAfterSeconds: number): AppError =>
  new AppError('RATE_LIMITED', 'Too many attempts', { retryAfterSeconds })

export const isAppError = (error: unknown): error is AppError => error instanceof AppError
