import { randomBytes } from 'node:crypto';
import type { ClientRecord, ClientSecretRecord, ClientsRepository } from '@portcullis/storage';
import { DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT } from '../domain/grants.ts';
import { OIDC_SCOPES } from '../domain/oidc-scopes.ts';
import { digestClientSecret, matchesDigest, storedDigest } from '../secrets/client-secret.ts';

/** One of a client's secrets as the cache holds it: its decoded digest and expiry. */
export interface CachedSecret {
  id: string;
  /** Milliseconds since the epoch, or null for a secret that never expires. */
  expiresAt: number | null;
  digest: Buffer | undefined;
}

/** A client as served to oidc-provider, with what we need to authenticate it. */
export interface CachedClient {
  record: ClientRecord;
  secrets: CachedSecret[];
  /** oidc-provider client metadata. */
  metadata: Record<string, unknown>;
}

/**
 * Client metadata oidc-provider does not know, carried on its client objects so the `ttl`
 * functions can read a client's own token lifetimes synchronously.
 */
export const CLIENT_TTL_METADATA = {
  accessToken: 'portcullis_access_token_ttl',
  refreshToken: 'portcullis_refresh_token_ttl',
} as const;

/**
 * Client metadata oidc-provider does not know: the origins from which a browser app may call the
 * client endpoints, read by the provider's `clientBasedCORS`.
 */
export const CLIENT_WEB_ORIGINS_METADATA = 'web_origins';

// oidc-provider insists on a `client_secret` in the metadata of clients that authenticate with
// one. We never hand it the real secret (we only have its hash): it gets this random value, which
// nothing can use, because every path that would (client_secret_jwt, HS* signing, symmetric
// encryption) is switched off, and secret comparison is ours (`authenticate` below).
const PLACEHOLDER_SECRET = randomBytes(32).toString('base64url');
// Last use is written at most once a minute per secret and per client, off the request path.
const TOUCH_INTERVAL_MS = 60_000;

/**
 * An in-process cache of clients read from PostgreSQL. Entries are dropped when another process
 * announces a change (LISTEN/NOTIFY), so a cached client costs no database round trip per request.
 */
export function createClientRegistry(options: {
  clients: ClientsRepository;
  maxEntries?: number;
  onError?: (error: unknown) => void;
  /**
   * Post-logout redirect URIs (RP-initiated logout) by client id: registrations hold none (a
   * sign-out ends on our own "Signed out" page), except those the server itself manages (the
   * admin console's, derived from the issuer as its redirect URI is).
   */
  postLogoutRedirects?: ReadonlyMap<string, readonly string[]>;
}) {
  const { clients } = options;
  const postLogoutRedirects = options.postLogoutRedirects ?? new Map<string, string[]>();
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, CachedClient | null>();
  const loading = new Map<string, Promise<CachedClient | undefined>>();
  // When the last use of each secret and each client was written, by id.
  const secretTouched = new Map<string, number>();
  const clientTouched = new Map<string, number>();
  const writeSecretUse = (secretId: string) => clients.touchSecret(secretId);
  const writeClientUse = (clientId: string) => clients.touchClient(clientId);
  // Bumped by every invalidation: a load that started before it must not fill the cache.
  let epoch = 0;

  // Fire-and-forget: a failed write is logged, never thrown at the request.
  const touch = (
    touched: Map<string, number>,
    id: string,
    now: number,
    write: (id: string) => Promise<void>,
  ) => {
    if ((touched.get(id) ?? 0) + TOUCH_INTERVAL_MS > now) return;
    if (touched.size >= maxEntries) touched.clear();
    touched.set(id, now);
    write(id).catch((error: unknown) => options.onError?.(error));
  };

  const load = async (id: string): Promise<CachedClient | undefined> => {
    const started = epoch;
    const record = await clients.findById(id);
    const entry = record
      ? toCached(record, await clients.secrets(id), postLogoutRedirects.get(record.id))
      : null;
    if (started === epoch && record) {
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(id, entry);
    }
    return entry ?? undefined;
  };

  return {
    /** The client, or undefined when unknown or disabled. */
    async get(id: string): Promise<CachedClient | undefined> {
      const hit = cache.get(id);
      if (hit !== undefined) return hit?.record.disabledAt ? undefined : (hit ?? undefined);
      let pending = loading.get(id);
      if (!pending) {
        pending = load(id).finally(() => loading.delete(id));
        loading.set(id, pending);
      }
      const entry = await pending;
      return entry?.record.disabledAt ? undefined : entry;
    },

    /**
     * The client if it is cached right now, without loading it: for oidc-provider's synchronous
     * hooks (token lifetimes), which run while the request's client is cached.
     */
    peek(id: string): CachedClient | undefined {
      const hit = cache.get(id);
      return hit && !hit.record.disabledAt ? hit : undefined;
    },

    /**
     * True when `presented` matches one of the client's unexpired secrets. The presented secret
     * is hashed once and compared with every live secret in constant time. Records the use of
     * the secret and of the client at most once a minute, off the request path.
     */
    async authenticate(id: string, presented: string): Promise<boolean> {
      // A cached client (the token endpoint has just looked it up) without another await.
      const entry = this.peek(id) ?? (await this.get(id));
      if (!entry) return false;
      const now = Date.now();
      const digest = digestClientSecret(presented);
      let match: CachedSecret | undefined;
      // No early exit: the time taken does not depend on which secret matched.
      for (const secret of entry.secrets) {
        const live = secret.expiresAt === null || secret.expiresAt > now;
        if (matchesDigest(digest, secret.digest) && live && !match) match = secret;
      }
      if (!match) return false;
      touch(secretTouched, match.id, now, writeSecretUse);
      touch(clientTouched, id, now, writeClientUse);
      return true;
    },

    /** Records that the client was used (it got a token); at most once a minute per client. */
    recordUse(id: string): void {
      touch(clientTouched, id, Date.now(), writeClientUse);
    },

    invalidate(id: string): void {
      epoch += 1;
      cache.delete(id);
      loading.delete(id);
    },

    clear(): void {
      epoch += 1;
      cache.clear();
      loading.clear();
    },
  };
}

/** The registry {@link createClientRegistry} returns. */
export type ClientRegistry = ReturnType<typeof createClientRegistry>;

function toCached(
  record: ClientRecord,
  secrets: ClientSecretRecord[],
  postLogoutRedirectUris: readonly string[] = [],
): CachedClient {
  const metadata: Record<string, unknown> = {
    client_id: record.id,
    client_name: record.name,
    // Token exchange is offered to every client here, so that one without the operator's policy
    // (`clients update --may-exchange-for`) hears unauthorized_client from the grant itself
    // (RFC 8693 §2.2.2), not oidc-provider's invalid_request.
    grant_types: [...record.grantTypes, TOKEN_EXCHANGE_GRANT],
    redirect_uris: record.redirectUris,
    response_types: record.grantTypes.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: record.tokenEndpointAuthMethod,
  };
  if (postLogoutRedirectUris.length > 0) {
    metadata.post_logout_redirect_uris = [...postLogoutRedirectUris];
  }
  // A private_key_jwt client's public keys, held here or fetched (and cached) by oidc-provider.
  if (record.jwks) metadata.jwks = record.jwks;
  if (record.jwksUri) metadata.jwks_uri = record.jwksUri;
  // RFC 8252 §7.3: a native app (public, redirecting only to loopback http or its own
  // private-use scheme) may come back on any loopback port; oidc-provider allows that for
  // application_type native only.
  if (
    record.isPublic &&
    record.redirectUris.length > 0 &&
    record.redirectUris.every((uri) => isLoopbackHttp(uri) || !/^https?:/i.test(uri))
  ) {
    metadata.application_type = 'native';
  }
  if (record.webOrigins.length > 0) metadata[CLIENT_WEB_ORIGINS_METADATA] = record.webOrigins;
  // oidc-provider then refuses its token requests without a DPoP proof (RFC 9449 §5).
  if (record.dpopBoundAccessTokens) metadata.dpop_bound_access_tokens = true;
  // oidc-provider then refuses its authorization requests that were not pushed (RFC 9126 §6).
  if (record.requirePushedAuthorizationRequests) {
    metadata.require_pushed_authorization_requests = true;
  }
  // OIDC Back-Channel Logout 1.0: oidc-provider POSTs a logout token there when a session with
  // this client ends, with `sid` in it (and in ID tokens) when the client requires it.
  if (record.backchannelLogoutUri) {
    metadata.backchannel_logout_uri = record.backchannelLogoutUri;
    metadata.backchannel_logout_session_required = record.backchannelLogoutSessionRequired;
  }
  if (record.clientUri) metadata.client_uri = record.clientUri;
  if (record.logoUri) metadata.logo_uri = record.logoUri;
  // The OpenID scopes a browser client may ask for: those registered, or a sign-in default.
  if (
    record.grantTypes.includes('authorization_code') ||
    record.grantTypes.includes(DEVICE_CODE_GRANT)
  ) {
    const registered = record.scopes.filter((s) => OIDC_SCOPES.includes(s));
    const scopes = registered.length > 0 ? registered : ['openid', 'profile', 'email'];
    if (record.grantTypes.includes('refresh_token') && !scopes.includes('offline_access')) {
      scopes.push('offline_access');
    }
    metadata.scope = scopes.join(' ');
  }
  if (record.tokenEndpointAuthMethod === 'client_secret_basic') {
    metadata.client_secret = PLACEHOLDER_SECRET;
  }
  if (record.accessTokenTtl !== null) {
    metadata[CLIENT_TTL_METADATA.accessToken] = record.accessTokenTtl;
  }
  if (record.refreshTokenTtl !== null) {
    metadata[CLIENT_TTL_METADATA.refreshToken] = record.refreshTokenTtl;
  }
  return {
    record,
    secrets: secrets.map((s) => ({
      id: s.id,
      expiresAt: s.expiresAt?.getTime() ?? null,
      digest: storedDigest(s.secretHash),
    })),
    metadata,
  };
}

function isLoopbackHttp(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  } catch {
    return false;
  }
}
