import type { ClientRecord, ClientSecretRecord } from '@portcullis/storage';

// How clients and their secrets are written as JSON: by the admin API, and by the CLI's --json
// (which takes them from this package's config entry, so a command line loads no more for them).

/** A client secret as operators see it: never its value or hash (the services' SecretSummary). */
type SecretView = Pick<
  ClientSecretRecord,
  'id' | 'name' | 'createdAt' | 'expiresAt' | 'lastUsedAt'
>;

/**
 * A client as the admin API and `clients show --json` write it: OAuth metadata names, lifetimes
 * in seconds (null when the client has none of its own).
 *
 * @example
 * ctx.body = clientJson(client); // { client_id, name, grant_types, ... }
 */
export function clientJson(client: ClientRecord) {
  return {
    client_id: client.id,
    name: client.name,
    grant_types: client.grantTypes,
    redirect_uris: client.redirectUris,
    web_origins: client.webOrigins,
    dpop_bound_access_tokens: client.dpopBoundAccessTokens,
    require_pushed_authorization_requests: client.requirePushedAuthorizationRequests,
    require_mfa: client.requireMfa,
    backchannel_logout_uri: client.backchannelLogoutUri,
    backchannel_logout_session_required: client.backchannelLogoutSessionRequired,
    scope: client.scopes.join(' '),
    resources: client.resources,
    may_exchange_for: client.mayExchangeFor,
    public: client.isPublic,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    jwks: client.jwks,
    jwks_uri: client.jwksUri,
    first_party: client.firstParty,
    homepage: client.clientUri,
    logo_uri: client.logoUri,
    access_token_ttl: client.accessTokenTtl,
    refresh_token_ttl: client.refreshTokenTtl,
    registered_via: client.registeredVia,
    registration_token: client.registrationTokenId,
    disabled: client.disabledAt !== null,
    disabled_at: client.disabledAt?.toISOString() ?? null,
    last_used_at: client.lastUsedAt?.toISOString() ?? null,
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
  };
}

/**
 * A client secret as the admin API and the CLI write it: its name and dates, never its value or
 * hash.
 *
 * @example
 * secrets.map((secret) => secretJson(secret, new Date()));
 */
export function secretJson(secret: SecretView, now: Date) {
  return {
    id: secret.id,
    name: secret.name,
    created_at: secret.createdAt.toISOString(),
    expires_at: secret.expiresAt?.toISOString() ?? null,
    expired: secret.expiresAt !== null && secret.expiresAt <= now,
    last_used_at: secret.lastUsedAt?.toISOString() ?? null,
  };
}

/** A client as the admin API and `clients show --json` write it. */
export type ClientJson = ReturnType<typeof clientJson>;

/** A secret as the admin API and `clients show --json` write it. */
export type SecretJson = ReturnType<typeof secretJson>;
