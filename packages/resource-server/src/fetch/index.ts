// The public API of @portcullis/resource-server/fetch: fetch-style `Request` → `Response`
// handlers over the same core, rules and errors as the Koa entry point. No framework is loaded.

export type { GuardOptions } from '../core/create-guard.ts';
export type { LimiterOptions as ThrottleOptions } from '../throttle/create-limiter.ts';
export * from '../vocabulary.ts';
export {
  createResourceServer,
  type FetchProtectOptions,
  type FetchResourceServer,
  type ProtectedHandler,
} from './create-resource-server.ts';
export { owner, type Rule } from './owner.ts';
