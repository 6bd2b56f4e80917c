// The public API of @portcullis/resource-server. Everything else is internal: the package's
// `exports` map blocks deep imports.
export { createResourceServer, type ResourceServer } from './create-resource-server.ts';
export {
  CredentialsRequiredError,
  errorCodes,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  isResourceServerError,
  ResourceServerConfigError,
  ResourceServerError,
  type ResourceServerErrorCode,
  TemporarilyUnavailableError,
} from './errors.ts';
export { requireScopes } from './middleware/require-scopes.ts';
export type {
  AuthContext,
  AuthenticatedState,
  AuthenticateOptions,
  JwksOptions,
  OptionalAuthState,
  ResourceServerOptions,
} from './types.ts';
