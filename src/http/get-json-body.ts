import type { Readable } from 'node:stream'

import { errorCodes } from 'fastify'
import type {
  FastifyInstance,
  FastifyRequest,
  preParsingAsyncHookHandler,
  preValidationAsyncHookHandler,
} from 'fastify'
import secureJson from 'secure-json-parse'
import type { TSchema } from 'typebox'

import { BodyParseError, MAX_JSON_DEPTH, jsonDepthExceeds } from './json-body.js'

/**
 * A JSON body on GET, for APIs that document one (docs/surfaces/2-secrets-v1.md: `GET /v1/secrets
 * {secret_id}`). Fastify never reads a GET body, and a GET route may not declare a body schema,
 * so this pair of hooks does both, with the same guards as every other body (`json-body.ts`):
 *
 * - `read` (preParsing) reads at most the configured body limit, refusing more with 413 as soon
 *   as it is announced or received, then parses with the depth bound and the prototype-poisoning
 *   guards. It runs before authentication, as the body limits of other methods do.
 * - `validate` (preValidation, after authentication) checks the body against `schema` with the
 *   app's own body validator, and throws the same validation error Fastify would, so the
 *   surface's dialect words it.
 *
 * An absent or blank body leaves `request.body` undefined, for the schema to refuse.
 */
export function getJsonBody(
  scope: FastifyInstance,
  url: string,
  schema: TSchema,
): { read: preParsingAsyncHookHandler; validate: preValidationAsyncHookHandler } {
  const compile = scope.validatorCompiler
  if (compile === undefined) throw new Error('register the validators before GET body routes')
  const check = compile({ schema, method: 'GET', url, httpPart: 'body' }) as ((
    data: unknown,
  ) => boolean) & { errors?: unknown[] | null }
  const limit = scope.initialConfig.bodyLimit ?? 1024 * 1024

  const read: preParsingAsyncHookHandler = async (request, _reply, payload) => {
    const { headers } = request
    const length = headers['content-length']
    if (headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) {
      return
    }
    if (Number(length) > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE()
    setBody(request, parseJson(await readText(payload, limit)))
  }

  const validate: preValidationAsyncHookHandler = async (request) => {
    if (check(request.body)) return
    throw Object.assign(new Error('body is invalid'), {
      statusCode: 400,
      validation: check.errors ?? [],
      validationContext: 'body',
    })
  }

  return { read, validate }
}

function setBody(request: FastifyRequest, body: unknown): void {
  ;(request as { body: unknown }).body = body
}

async function readText(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let received = 0
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
      received += bytes.length
      if (received > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE()
      chunks.push(bytes)
    }
  } catch (error) {
    if (error instanceof errorCodes.FST_ERR_CTP_BODY_TOO_LARGE) throw error
    // A client that aborts mid-body is the client's fault: a 400, as Fastify answers it.
    throw new BodyParseError('STRONGROOM_INVALID_JSON', 'Body could not be read')
  }
  // Decoded once at the end, so a character split across chunks stays whole.
  return Buffer.concat(chunks, received).toString('utf8')
}

/** The same parse as `registerJsonBodyParser`: blank is no body, deep or invalid JSON is a 400. */
function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new BodyParseError(
      'STRONGROOM_JSON_TOO_DEEP',
      `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    )
  }
  try {
    return secureJson.parse(text, undefined, {
      protoAction: 'remove',
      constructorAction: 'remove',
    }) as unknown
  } catch {
    throw new BodyParseError('STRONGROOM_INVALID_JSON', 'Body is not valid JSON')
  }
}
