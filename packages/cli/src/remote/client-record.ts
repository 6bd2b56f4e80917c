import type { SecretSummary } from '@portcullis/auth-server';
import type { ClientJson, SecretJson } from '@portcullis/auth-server/config';
import type { ClientJwks, ClientRecord } from '@portcullis/storage';

const date = (value: string | null) => (value === null ? null : new Date(value));

/**
 * The client record of the admin API's JSON, so that remote commands print what local ones do.
 *
 * @example
 * printLines(io, describeClient(clientRecord(body.client)));
 */
export function clientRecord(json: ClientJson): ClientRecord {
  return {
    id: json.client_id,
    name: json.name,
    grantTypes: json.grant_types,
    redirectUris: json.redirect_uris,
    webOrigins: json.web_origins,
    dpopBoundAccessTokens: json.dpop_bound_access_tokens,
    requirePushedAuthorizationRequests: json.require_pushed_authorization_requests,
    requireMfa: json.require_mfa,
    backchannelLogoutUri: json.backchannel_logout_uri,
    backchannelLogoutSessionRequired: json.backchannel_logout_session_required,
    scopes: json.scope.split(' ').filter(Boolean),
    resources: json.resources,
    mayExchangeFor: json.may_exchange_for,
    isPublic: json.public,
    tokenEndpointAuthMethod: json.token_endpoint_auth_method,
    jwks: json.jwks as ClientJwks | null,
    jwksUri: json.jwks_uri,
    firstParty: json.first_party,
    clientUri: json.homepage,
    logoUri: json.logo_uri,
    accessTokenTtl: json.access_token_ttl,
    refreshTokenTtl: json.refresh_token_ttl,
    registeredVia: json.registered_via,
    registrationTokenId: json.registration_token,
    disabledAt: date(json.disabled_at),
    lastUsedAt: date(json.last_used_at),
    createdAt: new Date(json.created_at),
    updatedAt: new Date(json.updated_at),
  };
}

/**
 * The secret summary of the admin API's JSON.
 *
 * @example
 * body.secrets.map(secretSummary);
 */
export function secretSummary(json: SecretJson): SecretSummary {
  return {
    id: json.id,
    name: json.name,
    createdAt: new Date(json.created_at),
    expiresAt: date(json.expires_at),
    lastUsedAt: date(json.last_used_at),
  };
}
