import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

/** The scope a surface's (or the web app's) routes are registered on, with TypeBox types. */
export type TypeBoxScope = Parameters<FastifyPluginAsyncTypebox>[0]
