import type { FastifyError } from 'fastify'

import { AppError } from '../errors.js'
import type { ValidationIssue } from '../errors.js'
import { locateInputs } from './input-locations.js'

/**
 * Turns whatever was thrown while serving a request into an AppError, or undefined when it is an
 * unexpected failure (a bug, a lost database) that must become a generic 500. Framework errors
 * (body too large, bad JSON, schema validation) become the same codes services use, and inputs a
 * service names in domain words are located, so each surface renders them in its own dialect.
 */
export function normalizeError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return locateInputs(error)
  if (typeof error !== 'object' || error === null) return undefined
  const fastifyError = error as Partial<FastifyError> & { validationContext?: string }

  if (Array.isArray(fastifyError.validation)) {
    const location = toLocation(fastifyError.validationContext)
    return new AppError('VALIDATION_FAILED', 'Invalid request', {
      issues: fastifyError.validation.map((issue) => toIssue(location, issue)),
    })
  }

  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'Request body too large')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported request body')
    case 'STRONGROOM_INVALID_JSON':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('BAD_REQUEST', 'Body is not valid JSON', { subject: 'json' })
    case 'STRONGROOM_JSON_TOO_DEEP':
      return new AppError('BAD_REQUEST', 'JSON nested too deeply', { subject: 'json' })
    default:
      break
  }

  const status = fastifyError.statusCode
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', 'Request body too large')
  if (status === 429) return new AppError('RATE_LIMITED', 'Too many requests')
  // Any other error the framework already classified as the client's fault (a malformed URL,
  // an aborted body): a 400 with a fixed message, never the framework's own words.
  if (status !== undefined && status >= 400 && status < 500) {
    return new AppError('BAD_REQUEST', 'Bad request')
  }
  return undefined
}

function toLocation(context: string | undefined): ValidationIssue['location'] {
  switch (context) {
    case 'querystring':
      return 'query'
    case 'params':
      return 'params'
    case 'headers':
      return 'headers'
    default:
      return 'body'
  }
}

interface AjvIssue {
  keyword: string
  instancePath: string
  params: Record<string, unknown>
  message?: string
}

function toIssue(location: ValidationIssue['location'], raw: unknown): ValidationIssue {
  const issue = raw as AjvIssue
  const path = issue.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
  // A missing key is reported on its parent; FastAPI names the key itself.
  if (issue.keyword === 'required') path.push(String(issue.params.missingProperty))
  return { location, path, ...judge(issue) }
}

/** Which rule an Ajv issue broke, in FastAPI's sentence for it. */
function judge(issue: AjvIssue): Pick<ValidationIssue, 'kind' | 'message'> {
  const limit = String(issue.params.limit)
  switch (issue.keyword) {
    case 'required':
      return { kind: 'missing', message: 'Field required' }
    case 'type':
      return { kind: 'type', message: `Input should be a valid ${describeType(issue.params.type)}` }
    case 'format':
    case 'pattern':
      return { kind: 'format', message: 'Input is not in the expected format' }
    case 'minLength':
      return { kind: 'too_short', message: `String should have at least ${limit} characters` }
    case 'maxLength':
      return { kind: 'too_long', message: `String should have at most ${limit} characters` }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { kind: 'range', message: 'Input is out of range' }
    case 'enum':
    case 'const':
      return { kind: 'enum', message: 'Input is not one of the allowed values' }
    default:
      return { kind: 'other', message: 'Input is invalid' }
  }
}

function describeType(type: unknown): string {
  switch (type) {
    case 'string':
      return 'string'
    case 'integer':
      return 'integer'
    case 'number':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'array':
      return 'list'
    default:
      return 'object'
  }
}
