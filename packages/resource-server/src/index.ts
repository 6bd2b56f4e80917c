// The public API of @portcullis/resource-server for Koa (the package's main entry). Everything
// else is internal: the package's `exports` map blocks deep imports. The other frameworks have
// their own entry points (`@portcullis/resource-server/express`, `/fastify`, `/node`, `/fetch`)
// over the same core.

export { createResourceServer, type ResourceServer } from './create-resource-server.ts';
export { owner, type Rule } from './middleware/koa-rules.ts';
export { normalizePath } from './middleware/normalize-path.ts';
export { permit } from './middleware/permit.ts';
export { requireScopes } from './middleware/require-scopes.ts';
export { type ThrottleOptions, throttle } from './throttle/throttle.ts';
export type { AuthenticatedState, OptionalAuthState } from './types.ts';
export * from './vocabulary.ts';
