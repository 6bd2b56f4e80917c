// The public API of @portcullis/resource-server/node: plain `node:http` request listeners over
// the same core, rules and errors as the Koa entry point. No framework is loaded.

export type { GuardOptions } from '../core/create-guard.ts';
export type { LimiterOptions as ThrottleOptions } from '../throttle/create-limiter.ts';
export * from '../vocabulary.ts';
export {
  createResourceServer,
  type NodeProtectOptions,
  type NodeRequest,
  type NodeResourceServer,
  type ProtectedListener,
} from './create-resource-server.ts';
export { owner, type Rule } from './owner.ts';
