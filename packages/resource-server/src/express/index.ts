// The public API of @portcullis/resource-server/express: Express 5 (and 4) middleware over the
// same core, rules and errors as the Koa entry point. `express` is an optional peer dependency:
// only this entry point loads it (and only its types).

export * from '../vocabulary.ts';
export { createResourceServer, type ExpressResourceServer } from './create-resource-server.ts';
export { normalizePath } from './normalize-path.ts';
export { owner, permit, type Rule } from './permit.ts';
export { requireScopes } from './require-scopes.ts';
export { type ThrottleOptions, throttle } from './throttle.ts';
export type {
  AuthenticatedLocals,
  AuthenticatedResponse,
  ExpressMiddleware,
  OptionalAuthLocals,
  OptionalAuthResponse,
} from './types.ts';
