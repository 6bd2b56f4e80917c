import { hkdfSync } from 'node:crypto';
import type { ArtifactsRepository } from '@portcullis/storage';
import Provider, { type Configuration } from 'oidc-provider';
import type { ServerConfig } from '../config/server-config.ts';
import { cookieOptions } from '../domain/cookies.ts';
import {
  DEFAULT_ACCESS_TOKEN_TTL,
  DEFAULT_REFRESH_TOKEN_TTL,
  ID_TOKEN_TTL,
  SESSION_TTL_SECONDS,
} from '../domain/lifetimes.ts';
import { ACR_VALUES } from '../domain/mfa.ts';
import { OIDC_SCOPES } from '../domain/oidc-scopes.ts';
import { REGISTRATION_PATH } from '../domain/registration-path.ts';
import { REVOCATION_FEED_PATH } from '../domain/revocation-feed-path.ts';
import { CLIENT_ASSERTION_ALGORITHMS, SIGNING_ALGORITHMS } from '../domain/signing-algorithms.ts';
import type { PrivateJwk } from '../keys/signing-keys.ts';
import {
  CLIENT_TTL_METADATA,
  CLIENT_WEB_ORIGINS_METADATA,
  type ClientRegistry,
} from '../registry/client-registry.ts';
import type { ResourceRegistry } from '../registry/resource-registry.ts';
import type { PublicUser } from '../services/users-service.ts';
import { CLAIMS, createFindAccount } from './account.ts';
import { createAdapterClass } from './adapter.ts';
import { providerFetch } from './backchannel-logout.ts';
import { assertClientAssertionAudience, detectReplaysInPostgres } from './client-assertions.ts';
import { withGrantClaim } from './grant-claim.ts';
import { createIntrospectionPolicy } from './introspection-policy.ts';
import { publishIssuerUrls } from './issuer-urls.ts';
import { type MfaRequirement, mfaInteractionPolicy } from './mfa-policy.ts';
import { providerPages } from './pages.ts';
import { createLoadExistingGrant, type GrantLookup, issueRefreshToken } from './policy.ts';
import { createResourceIndicators } from './resource-indicators.ts';
import { reuseClients } from './reuse-clients.ts';
import { delegationClaim, registerTokenExchange } from './token-exchange.ts';
import { createRolesClaim, type UserRoles } from './user-roles.ts';

// The algorithms our keys sign with; asymmetric only: HS* would key on client secrets, which we
// store only as hashes.
const SIGNING_ALGS = [...SIGNING_ALGORITHMS];

const DEFAULT_GRANT_TTL = 14 * 24 * 3600;

// A lifetime the client was registered with (`clients create --access-token-ttl ...`), carried
// on oidc-provider's client object as extra metadata.
function clientTtl(client: unknown, key: string): number | undefined {
  const value = (client as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'number' ? value : undefined;
}

/** An access token's lifetime: the client's own, else its resource's, else the 10-minute default. */
function accessTokenTtl(
  _ctx: unknown,
  token: { resourceServer?: { accessTokenTTL?: number } },
  client: unknown,
) {
  return (
    clientTtl(client, CLIENT_TTL_METADATA.accessToken) ??
    token.resourceServer?.accessTokenTTL ??
    DEFAULT_ACCESS_TOKEN_TTL
  );
}

/** A refresh token's lifetime (each rotation starts a new one): the client's own, else 14 days. */
function refreshTokenTtl(_ctx: unknown, _token: unknown, client: unknown) {
  return clientTtl(client, CLIENT_TTL_METADATA.refreshToken) ?? DEFAULT_REFRESH_TOKEN_TTL;
}

/**
 * Whether a browser page at `origin` may call a client endpoint (token, userinfo, revocation,
 * introspection, device authorization) for `client`: only from the client's registered web
 * origins (`clients create --web-origin`). oidc-provider asks only about requests that carry an
 * `Origin` and name a client; a refused one gets 400 invalid_request without
 * Access-Control-Allow-Origin. Discovery and the JWKS are public metadata, open to every origin
 * without asking.
 */
function clientBasedCors(_ctx: unknown, origin: string, client: unknown): boolean {
  const origins = (client as Record<string, unknown>)[CLIENT_WEB_ORIGINS_METADATA];
  return Array.isArray(origins) && origins.includes(origin);
}

/**
 * oidc-provider's DPoP settings (RFC 9449): on for every client, as oidc-provider has it by
 * default, and with `PORTCULLIS_DPOP_NONCE=on` every proof must carry a server nonce. Nonces are
 * HMACs of the current minute under `nonceSecret`, which every replica must share: it is derived
 * from the key-encryption key (HKDF, a label of its own), so there is no other secret to hand out.
 *
 * @example
 * dpopFeature({ dpopNonce: true, keyEncryptionKey }); // { enabled: true, nonceSecret, requireNonce }
 */
export function dpopFeature(config: Pick<ServerConfig, 'dpopNonce' | 'keyEncryptionKey'>) {
  if (!config.dpopNonce) return { enabled: true };
  const nonceSecret = Buffer.from(
    hkdfSync('sha256', config.keyEncryptionKey, '', 'portcullis dpop nonces', 32),
  );
  return { enabled: true, nonceSecret, requireNonce: () => true };
}

/**
 * oidc-provider's pushed authorization requests (RFC 9126, at `/request`): on for every client,
 * each pushed request usable once and for 60 seconds; with `PORTCULLIS_REQUIRE_PAR=on` every
 * client must push (a client registered with `--require-par` must whatever the setting). Only
 * registered redirect URIs, as at `/auth`.
 *
 * @example
 * parFeature({ requirePar: true }); // { enabled: true, requirePushedAuthorizationRequests: true, ... }
 */
function parFeature(config: Pick<ServerConfig, 'requirePar'>) {
  return {
    enabled: true,
    requirePushedAuthorizationRequests: config.requirePar,
    allowUnregisteredRedirectUris: false,
  };
}

/**
 * `claims` for a token issued to a user, from a grant or by token exchange; none, without a
 * promise, for a token issued to a client alone (client credentials), which has no user for a
 * `roles` claim, no grant for `grant_id` and no actor for `act`.
 */
function withoutClaimsForClients<C, R>(
  claims: (ctx: C, token: unknown) => Promise<R | undefined>,
): (ctx: C, token: unknown) => Promise<R | undefined> | undefined {
  return (ctx, token) => {
    const { accountId, grantId } = token as { accountId?: unknown; grantId?: unknown };
    if (!accountId && !grantId && !delegationClaim(token as object)) return undefined;
    return claims(ctx, token);
  };
}

/** What {@link createProvider} needs. */
export interface ProviderDeps {
  config: ServerConfig;
  clients: ClientRegistry;
  resources: ResourceRegistry;
  artifacts: ArtifactsRepository;
  /** The user's grant to a client from any session: consent is per user and app. */
  grants: GrantLookup;
  jwks: PrivateJwk[];
  users: { findById(id: string): Promise<PublicUser | undefined> };
  /** The scopes and roles a user holds on a resource: role-gated scopes, the `roles` claim. */
  roles: UserRoles;
  /** Seconds after a refresh token's rotation in which its reuse is refused without revoking. */
  refreshReuseGraceSeconds: number;
  /** When a sign-in needs a second factor; unset: never (the doctor's probe). */
  mfa?: MfaRequirement;
}

/**
 * Builds the oidc-provider instance: clients and resources from PostgreSQL, RFC 9068 JWT access
 * tokens per resource, asymmetric algorithms only, authorization code with PKCE as the only
 * browser flow, and no development interactions. Its middleware and listeners are ours to add
 * (provider/pipeline.ts).
 */
export function createProvider(deps: ProviderDeps): Provider {
  const { config, clients, resources, artifacts, jwks, users, roles } = deps;
  const rolesClaim = createRolesClaim(resources, roles);
  const configuration: Configuration = {
    adapter: createAdapterClass({
      artifacts,
      clients,
      refreshReuseGraceSeconds: deps.refreshReuseGraceSeconds,
      userCodeSecret: config.keyEncryptionKey,
    }) as unknown as Configuration['adapter'],
    clients: [],
    // Dynamic registration is served by our own routes (routes/registration.ts), not by
    // oidc-provider's `registration` feature: discovery names it, on the issuer's origin.
    discovery: {
      ...(config.registration
        ? { registration_endpoint: `${new URL(config.issuer).origin}${REGISTRATION_PATH}` }
        : {}),
      // The revocation feed resource servers follow (routes/revocation-feed.ts).
      revocation_feed_endpoint: `${new URL(config.issuer).origin}${REVOCATION_FEED_PATH}`,
    },
    jwks: { keys: jwks as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: config.cookieKeys,
      long: cookieOptions(config.issuer),
      short: cookieOptions(config.issuer),
    },
    scopes: OIDC_SCOPES,
    claims: CLAIMS,
    findAccount: createFindAccount(users),
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      // A session without the second factor a sign-in needs goes back to the login step.
      ...(deps.mfa ? { policy: mfaInteractionPolicy(deps.mfa) } : {}),
    },
    // The password alone, or with a second factor (docs/security.md: second factors).
    acrValues: [...ACR_VALUES],
    loadExistingGrant: createLoadExistingGrant(clients, deps.grants),
    issueRefreshToken,
    // The user's roles on the resource, the actor chain of a token issued by token exchange, and
    // the grant the token came from (the revocation feed names revoked grants).
    extraTokenClaims: withoutClaimsForClients(
      withGrantClaim(async (ctx: Parameters<typeof rolesClaim>[0], token: unknown) => {
        const claims = { ...(await rolesClaim(ctx, token)), ...delegationClaim(token as object) };
        return Object.keys(claims).length > 0 ? claims : undefined;
      }),
    ) as Configuration['extraTokenClaims'],
    rotateRefreshToken: true,
    renderError: providerPages.renderError as Configuration['renderError'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    assertJwtClientAuthClaimsAndHeader: assertClientAssertionAudience,
    extraClientMetadata: {
      properties: [...Object.values(CLIENT_TTL_METADATA), CLIENT_WEB_ORIGINS_METADATA],
    },
    clientBasedCORS: clientBasedCors,
    // Its own outgoing requests; logout tokens and loopback JWKS URIs go to operator-registered
    // URIs (see providerFetch).
    fetch: providerFetch,
    clientDefaults: {
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    enabledJWA: {
      clientAuthSigningAlgValues: [...CLIENT_ASSERTION_ALGORITHMS],
      idTokenSigningAlgValues: SIGNING_ALGS,
      userinfoSigningAlgValues: SIGNING_ALGS,
      introspectionSigningAlgValues: SIGNING_ALGS,
      authorizationSigningAlgValues: SIGNING_ALGS,
    } as Configuration['enabledJWA'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: dpopFeature(config),
      pushedAuthorizationRequests: parFeature(config),
      // Request objects (JAR, RFC 9101) stay off, at /request as at /auth: a `request` parameter
      // is refused (request_not_supported). PAR already carries the parameters over an
      // authenticated back channel, and a signed request object would need client keys that
      // secret-based and public clients do not have (docs/security.md).
      requestObjects: { enabled: false },
      revocation: {
        enabled: true,
        // Another client's token: answer 200 as for an unknown token, and revoke nothing.
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        // The token's own client and its resource's introspection clients; anyone else gets
        // {"active": false}.
        allowedPolicy: createIntrospectionPolicy(resources, clients),
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: providerPages.userCodeInputSource,
        userCodeConfirmSource: providerPages.userCodeConfirmSource,
        successSource: providerPages.successSource,
      } as NonNullable<Configuration['features']>['deviceFlow'],
      // OIDC Back-Channel Logout 1.0, for clients registered with a logout URI. Front-Channel
      // Logout stays off (docs/security.md: third-party cookies, frames and our CSP).
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: providerPages.logoutSource,
        postLogoutSuccessSource: providerPages.postLogoutSuccessSource,
      } as NonNullable<Configuration['features']>['rpInitiatedLogout'],
      resourceIndicators: createResourceIndicators({ clients, resources, roles }) as NonNullable<
        Configuration['features']
      >['resourceIndicators'],
    },
    ttl: {
      AuthorizationCode: 60,
      DeviceCode: 600,
      // A grant outlives the refresh tokens issued from it: at least 14 days, longer for a client
      // registered with a longer refresh-token lifetime. Grants are saved by our own pages too,
      // outside oidc-provider's request context, so the client comes from the registry's cache
      // (it was just loaded to show the page).
      Grant: (_ctx, grant) =>
        Math.max(
          DEFAULT_GRANT_TTL,
          clients.peek(String(grant.clientId))?.record.refreshTokenTtl ?? 0,
        ),
      IdToken: ID_TOKEN_TTL,
      Interaction: 3600,
      RefreshToken: refreshTokenTtl,
      Session: SESSION_TTL_SECONDS,
      // The client's own lifetime if it has one, else its resource's, else the 10-minute ceiling.
      AccessToken: accessTokenTtl,
      ClientCredentials: accessTokenTtl,
    },
  };

  const provider = new Provider(config.issuer, configuration);
  publishIssuerUrls(provider, config.issuer);
  provider.proxy = config.trustProxy;
  // Behind a trusted proxy, the address it saw: the last X-Forwarded-For entry (app.ts).
  provider.maxIpsCount = 1;

  detectReplaysInPostgres(provider, artifacts);
  registerTokenExchange(provider, {
    issuer: config.issuer,
    jwks,
    clients,
    resources,
    grants: deps.grants,
    users,
    roles,
  });

  // Secrets are stored hashed, several per client: compare against those, in constant time,
  // instead of oidc-provider's plain-text comparison.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(
    this: { clientId: string },
    actual: string,
  ) {
    return clients.authenticate(this.clientId, actual);
  };
  reuseClients(provider, clients);

  return provider;
}
