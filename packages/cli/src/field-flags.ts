/**
 * The option of the CLI that gives each service input field, by the field's name in the
 * services' input types. A service error about a field says what is wrong with it in neutral
 * words (`must be from 1s to 1d`); the CLI names the field the way the operator typed it
 * (`--access-token-ttl must be from 1s to 1d`). The one place where fields meet flags: every
 * command shares it through {@link describeError}.
 */
export const FIELD_FLAGS: Readonly<Record<string, string>> = {
  name: '--name',
  grants: '--grant',
  redirectUris: '--redirect-uri',
  webOrigins: '--web-origin',
  dpopBoundAccessTokens: '--require-dpop',
  requirePushedAuthorizationRequests: '--require-par',
  requireMfa: '--require-mfa',
  backchannelLogoutUri: '--backchannel-logout-uri',
  backchannelLogoutSessionRequired: '--backchannel-logout-session-required',
  scopes: '--scope',
  resources: '--resource',
  mayExchangeFor: '--may-exchange-for',
  public: '--public',
  authMethod: '--auth-method',
  jwks: '--jwks-file',
  jwksUri: '--jwks-uri',
  firstParty: '--first-party',
  homepage: '--homepage',
  logoUri: '--logo-uri',
  accessTokenTtl: '--access-token-ttl',
  accessTokenFormat: '--format',
  refreshTokenTtl: '--refresh-token-ttl',
  introspectionClients: '--introspection-client',
  gateScopes: '--role-gated',
  roleGatedScopes: '--role-gated',
  ungateScopes: '--not-role-gated',
  rolesClaim: '--roles-claim',
  keepOld: '--keep-old',
  ttl: '--ttl',
  force: '--force',
  expires: '--expires',
  maxUses: '--max-uses',
  kind: '--kind',
  issuer: '--issuer',
  authorizationEndpoint: '--authorization-endpoint',
  tokenEndpoint: '--token-endpoint',
  apiUrl: '--api-url',
  clientId: '--client-id',
  clientSecret: '--client-secret-stdin',
  scope: '--scope',
  jit: '--jit',
};

/**
 * The flag that gives `field`, or the field's own name for one no command takes.
 *
 * @example
 * flagOf('redirectUris'); // '--redirect-uri'
 */
export function flagOf(field: string): string {
  return FIELD_FLAGS[field] ?? field;
}
