import type { ClientRecord } from '@portcullis/storage';
import type { SecretSummary } from '../../services/clients-service.ts';

/**
 * A client as the admin API shows it: the CLI's JSON shape (`clients show --json`), OAuth
 * metadata names, lifetimes in seconds (null when the client has none of its own).
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
    last_used_at: client.lastUsedAt?.toISOString() ?? null,
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
  };
}

/**
 * A client secret as the admin API shows it: its name and dates, never its value or hash.
 *
 * @example
 * secrets.map((secret) => secretJson(secret, new Date()));
 */
export function secretJson(secret: SecretSummary, now: Date) {
  return {
    id: secret.id,
    name: secret.name,
    created_at: secret.createdAt.toISOString(),
    expires_at: secret.expiresAt?.toISOString() ?? null,
    expired: secret.expiresAt !== null && secret.expiresAt <= now,
    last_used_at: secret.lastUsedAt?.toISOString() ?? null,
  };
}

/**
 * What a client's ETag is computed over: its representation without the times it was last used,
 * which change with every token request and would make every If-Match fail on a busy client.
 *
 * @example
 * etagOf(clientVersion(client, secrets));
 */
export function clientVersion(client: ClientRecord, secrets: readonly SecretSummary[]) {
  const { last_used_at: _used, ...rest } = clientJson(client);
  return {
    ...rest,
    secrets: secrets.map((s) => [s.id, s.name, s.expiresAt?.toISOString() ?? null]),
  };
}
