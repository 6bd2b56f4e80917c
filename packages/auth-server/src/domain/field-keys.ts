/**
 * The admin API's request body key of each service input field, by the field's name in the
 * services' input types: the API's counterpart of the CLI's flags (packages/cli/src/field-flags.ts),
 * and the keys the CLI's remote mode writes its bodies with. A service
 * error about a field says what is wrong in neutral words (`must be from 1s to 1d`); the API
 * names the field as the caller sent it (`access_token_ttl must be from 1s to 1d`), with a JSON
 * Pointer to it. The declaration file of `apply` uses the same keys, but for a few of its own
 * (services/apply/locate-problem.ts).
 */
export const FIELD_KEYS: Readonly<Record<string, string>> = {
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
  keepOld: 'keep_old',
  identifier: 'identifier',
  username: 'username',
  password: 'password',
  email: 'email',
  accessTokenFormat: 'access_token_format',
  introspectionClients: 'introspection_clients',
  roleGatedScopes: 'role_gated_scopes',
  rolesClaim: 'roles_claim',
  putScopes: 'put_scopes',
  removeScopes: 'remove_scopes',
  gateScopes: 'gate_scopes',
  ungateScopes: 'ungate_scopes',
};
