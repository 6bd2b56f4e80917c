import type { UpdateClientInput } from '@portcullis/auth-server/services';

// The body key of each service input field (the admin API's ClientCreate / ClientUpdate).
const KEYS: Readonly<Record<keyof UpdateClientInput, string>> = {
  name: 'name',
  grants: 'grant_types',
  redirectUris: 'redirect_uris',
  webOrigins: 'web_origins',
  dpopBoundAccessTokens: 'dpop_bound_access_tokens',
  requirePushedAuthorizationRequests: 'require_pushed_authorization_requests',
  requireMfa: 'require_mfa',
  backchannelLogoutUri: 'backchannel_logout_uri',
  backchannelLogoutSessionRequired: 'backchannel_logout_session_required',
  scopes: 'scope',
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
  refreshTokenTtl: 'refresh_token_ttl',
};

/**
 * The admin API body for a clients service input, as the commands build it from their flags:
 * the same keys, `scopes` as one space-separated `scope`, null kept (it clears).
 *
 * @example
 * clientBody({ scopes: ['a', 'b'], homepage: null }); // { scope: 'a b', homepage: null }
 */
export function clientBody(input: UpdateClientInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const key = KEYS[field as keyof UpdateClientInput] ?? field;
    body[key] = field === 'scopes' && Array.isArray(value) ? value.join(' ') : value;
  }
  return body;
}
