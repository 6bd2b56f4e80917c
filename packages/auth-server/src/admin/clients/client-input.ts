import type { CreateClientInput, UpdateClientInput } from '../../services/clients-service.ts';

/** A client's settings as the API takes them (ClientCreate / ClientUpdate in the document). */
export interface ClientBody {
  name?: string;
  grant_types?: string[];
  redirect_uris?: string[] | null;
  web_origins?: string[] | null;
  dpop_bound_access_tokens?: boolean;
  require_pushed_authorization_requests?: boolean;
  require_mfa?: boolean;
  backchannel_logout_uri?: string | null;
  backchannel_logout_session_required?: boolean;
  scope?: string | null;
  resources?: string[] | null;
  may_exchange_for?: string[] | null;
  public?: boolean;
  token_endpoint_auth_method?: string;
  jwks?: unknown;
  jwks_uri?: string | null;
  first_party?: boolean;
  homepage?: string | null;
  logo_uri?: string | null;
  access_token_ttl?: string | number | null;
  refresh_token_ttl?: string | number | null;
}

// `scope` is one space-separated string, as OAuth writes it; the services take a list.
const scopeList = (scope: string | null | undefined) =>
  scope === undefined || scope === null ? scope : scope.split(' ').filter(Boolean);

// Only the keys the body has: an absent key leaves the stored value, null clears it.
function defined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as T;
}

/**
 * The clients service's update input for a validated ClientUpdate body: each key given replaces
 * the stored value, null clears it, as `clients update` does with its flags.
 *
 * @example
 * updateInput({ redirect_uris: null }); // { redirectUris: null }
 */
export function updateInput(body: ClientBody): UpdateClientInput {
  return defined({
    name: body.name,
    grants: body.grant_types,
    redirectUris: body.redirect_uris,
    webOrigins: body.web_origins,
    dpopBoundAccessTokens: body.dpop_bound_access_tokens,
    requirePushedAuthorizationRequests: body.require_pushed_authorization_requests,
    requireMfa: body.require_mfa,
    backchannelLogoutUri: body.backchannel_logout_uri,
    backchannelLogoutSessionRequired: body.backchannel_logout_session_required,
    scopes: scopeList(body.scope),
    resources: body.resources,
    mayExchangeFor: body.may_exchange_for,
    public: body.public,
    authMethod: body.token_endpoint_auth_method,
    jwks: body.jwks,
    jwksUri: body.jwks_uri,
    firstParty: body.first_party,
    homepage: body.homepage,
    logoUri: body.logo_uri,
    accessTokenTtl: body.access_token_ttl,
    refreshTokenTtl: body.refresh_token_ttl,
  });
}

/**
 * The clients service's create input for a validated ClientCreate body (which requires `name`
 * and `grant_types`).
 *
 * @example
 * createInput({ name: 'billing', grant_types: ['client_credentials'] });
 */
export function createInput(body: ClientBody): CreateClientInput {
  const { name = '', grants = [], ...rest } = updateInput(body);
  return { ...(rest as Omit<CreateClientInput, 'name' | 'grants'>), name, grants };
}
