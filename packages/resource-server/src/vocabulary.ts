// What every entry point of @portcullis/resource-server exports alike, whatever the framework:
// the rules, the errors, the scope catalogue, the throttle stores and the option types. Each
// entry point (`.` for Koa, `./express`, `./fastify`, `./node`, `./fetch`) adds its own
// `createResourceServer`, middleware, `owner` and `Rule` typed for its framework's request.

export {
  type Catalogue,
  type CatalogueDeclaration,
  type CatalogueJson,
  type CatalogueResourceName,
  type CatalogueRules,
  type CatalogueScope,
  defineCatalogue,
  type ResourceDeclaration,
} from './catalogue/define-catalogue.ts';
export {
  CredentialsRequiredError,
  errorCodes,
  InsufficientScopeError,
  InvalidDpopProofError,
  InvalidRequestError,
  InvalidTokenError,
  isResourceServerError,
  RateLimitedError,
  ResourceServerConfigError,
  ResourceServerError,
  type ResourceServerErrorCode,
  TemporarilyUnavailableError,
} from './errors.ts';
export type { NormalizePathOptions } from './http/path-problem.ts';
export type { RevocationFeedState } from './revocation/create-revocation-subscriber.ts';
export { actedBy } from './rules/acted-by.ts';
export { allOf } from './rules/all-of.ts';
export { and } from './rules/and.ts';
export { anyOf } from './rules/any-of.ts';
export { authenticated } from './rules/authenticated.ts';
export { authenticatedOrReadOnly } from './rules/authenticated-or-read-only.ts';
export { claim } from './rules/claim.ts';
export { not } from './rules/not.ts';
export { or } from './rules/or.ts';
export { type MethodRequirements, perMethod } from './rules/per-method.ts';
export { type ReadWriteScopes, readWrite } from './rules/read-write.ts';
export { resourceScope } from './rules/resource-scope.ts';
export { role } from './rules/role.ts';
export type { Rule as GenericRule, RuleRequest, Verdict } from './rules/rule.ts';
export {
  createMemoryThrottleStore,
  type MemoryThrottleStoreOptions,
} from './throttle/create-memory-throttle-store.ts';
export type { ThrottleStore } from './throttle/throttle-store.ts';
export type {
  AuthContext,
  AuthenticateOptions,
  DpopOptions,
  DpopReplayStore,
  IntrospectionOptions,
  JwksOptions,
  ResourceServerOptions,
  RevocationFeedOptions,
} from './types.ts';
