import type { ErrorSubject } from '../../errors.ts';
import type { DeclarationPath, DeclarationProblem } from './declaration.ts';

/**
 * The declaration file's key for each service input field it sets: `apply` hands an entry's
 * values to the services under their input names, and their errors come back with that name.
 */
const FIELD_KEYS: Readonly<Record<string, string>> = {
  identifier: 'identifier',
  name: 'name',
  description: 'description',
  grants: 'grants',
  redirectUris: 'redirect_uris',
  webOrigins: 'web_origins',
  dpopBoundAccessTokens: 'dpop_bound_access_tokens',
  requirePushedAuthorizationRequests: 'require_pushed_authorization_requests',
  requireMfa: 'require_mfa',
  backchannelLogoutUri: 'backchannel_logout_uri',
  backchannelLogoutSessionRequired: 'backchannel_logout_session_required',
  scopes: 'scopes',
  resources: 'resources',
  mayExchangeFor: 'may_exchange_for',
  public: 'public',
  authMethod: 'token_endpoint_auth_method',
  jwks: 'jwks',
  jwksUri: 'jwks_uri',
  firstParty: 'first_party',
  homepage: 'homepage',
  logoUri: 'logo_uri',
  accessTokenTtl: 'access_token_ttl',
  accessTokenFormat: 'access_token_format',
  refreshTokenTtl: 'refresh_token_ttl',
};

/**
 * A service's error about the entry at `entry`, placed at the key (and list item) of the field it
 * names; an error about no field of the file stays on the entry. The message is the service's
 * (neutral: it reads after the path) unless `message` words it for the file.
 *
 * @example
 * locateProblem(['clients', 2], { field: 'accessTokenTtl', message: 'must be from 1s to 1d' });
 * // { path: ['clients', 2, 'access_token_ttl'], message: 'must be from 1s to 1d' }
 */
export function locateProblem(
  entry: DeclarationPath,
  error: ErrorSubject & { message: string },
  message = error.message,
): DeclarationProblem {
  const key = error.field === undefined ? undefined : FIELD_KEYS[error.field];
  if (key === undefined) return { path: entry, message };
  const item = error.index === undefined || error.index < 0 ? [] : [error.index];
  return { path: [...entry, key, ...item], message };
}
