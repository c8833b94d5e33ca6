import { Ajv } from 'ajv'
import type { Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import fastJsonStringify from 'fast-json-stringify'

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

/**
 * Two validators. Bodies are JSON and must already have the right types: `{"password": 1234}` is a
 * 422, not the string "1234" (docs/surfaces/1-secret-storage.md). Query strings and path parameters are text by
 * nature, so `?page=2` is coerced to the integer the schema asks for.
 *
 * A compiled validator is a pure function of its schema, and the schemas are module constants, so
 * both compilers live once per process: Ajv's own cache then compiles each schema once, however
 * many apps the process builds (the test suite builds hundreds; a node builds one and pays the
 * same as before).
 */
let compilers: { body: Ajv; text: Ajv } | undefined

function validatorCompilers(): { body: Ajv; text: Ajv } {
  if (compilers === undefined) {
    const common: Options = {
      removeAdditional: true,
      useDefaults: true,
      allErrors: true,
      strict: false,
    }
    const body = new Ajv({ ...common, coerceTypes: false })
    const text = new Ajv({ ...common, coerceTypes: 'array' })
    addFormats(body)
    addFormats(text)
    compilers = { body, text }
  }
  return compilers
}

export function registerValidators(app: FastifyInstance): void {
  const { body, text } = validatorCompilers()
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? body : text).compile(schema),
  )
}

/**
 * Response serializers, compiled by fast-json-stringify as Fastify would, once per schema object
 * for the same reason: the route schemas are module constants and no shared schemas are added
 * (`addSchema`), so a serializer depends on its schema alone.
 */
const serializers = new WeakMap<object, (data: unknown) => string>()

export function registerSerializers(app: FastifyInstance): void {
  app.setSerializerCompiler(({ schema }) => {
    let serializer = serializers.get(schema)
    if (serializer === undefined) {
      serializer = fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0])
      serializers.set(schema, serializer)
    }
    return serializer
  })
}
