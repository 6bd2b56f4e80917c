// The public API of @portcullis/resource-server/fastify: Fastify 5 hooks and a plugin over the
// same core, rules and errors as the Koa entry point. `fastify` is an optional peer dependency:
// only this entry point refers to it (and only to its types). Importing it declares
// `request.auth` on Fastify's request type.

export * from '../vocabulary.ts';
export { createResourceServer, type FastifyResourceServer } from './create-resource-server.ts';
export { normalizePath } from './normalize-path.ts';
export { owner, permit, type Rule, requireScopes } from './permit.ts';
export { type ThrottleOptions, throttle } from './throttle.ts';
export type { FastifyHook } from './types.ts';
