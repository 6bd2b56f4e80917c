import { randomBytes } from 'node:crypto';
import type { ClientRecord, ClientSecretRecord, ClientsRepository } from '@portcullis/storage';
import { OIDC_SCOPES } from '../provider/resource-indicators.ts';
import { verifyClientSecret } from '../secrets/client-secret.ts';

/** A client as served to oidc-provider, with what we need to authenticate it. */
export interface CachedClient {
  record: ClientRecord;
  secrets: ClientSecretRecord[];
  /** oidc-provider client metadata. */
  metadata: Record<string, unknown>;
}

// oidc-provider insists on a `client_secret` in the metadata of clients that authenticate with
// one. We never hand it the real secret (we only have its hash): it gets this random value, which
// nothing can use, because every path that would (client_secret_jwt, HS* signing, symmetric
// encryption) is switched off, and secret comparison is ours (`authenticate` below).
const PLACEHOLDER_SECRET = randomBytes(32).toString('base64url');
const TOUCH_INTERVAL_MS = 60_000;

/**
 * An in-process cache of clients read from PostgreSQL. Entries are dropped when another process
 * announces a change (LISTEN/NOTIFY), so a cached client costs no database round trip per request.
 */
export function createClientRegistry(options: {
  clients: ClientsRepository;
  maxEntries?: number;
  onError?: (error: unknown) => void;
}) {
  const { clients } = options;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, CachedClient | null>();
  const loading = new Map<string, Promise<CachedClient | undefined>>();
  const lastTouched = new Map<string, number>();
  // Bumped by every invalidation: a load that started before it must not fill the cache.
  let epoch = 0;

  const load = async (id: string): Promise<CachedClient | undefined> => {
    const started = epoch;
    const record = await clients.findById(id);
    const entry = record ? toCached(record, await clients.secrets(id)) : null;
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
      if (hit !== undefined) return hit ?? undefined;
      let pending = loading.get(id);
      if (!pending) {
        pending = load(id).finally(() => loading.delete(id));
        loading.set(id, pending);
      }
      const entry = await pending;
      return entry?.record.disabledAt ? undefined : entry;
    },

    /**
     * True when `presented` matches one of the client's unexpired secrets. Records the secret's
     * last use at most once a minute per process, off the request path.
     */
    async authenticate(id: string, presented: string): Promise<boolean> {
      const entry = await this.get(id);
      if (!entry) return false;
      const now = Date.now();
      const match = entry.secrets.find(
        (s) =>
          (!s.expiresAt || s.expiresAt.getTime() > now) &&
          verifyClientSecret(presented, s.secretHash),
      );
      if (!match) return false;
      if ((lastTouched.get(match.id) ?? 0) + TOUCH_INTERVAL_MS < now) {
        lastTouched.set(match.id, now);
        clients.touchSecret(match.id).catch((error: unknown) => options.onError?.(error));
      }
      return true;
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

function toCached(record: ClientRecord, secrets: ClientSecretRecord[]): CachedClient {
  const metadata: Record<string, unknown> = {
    client_id: record.id,
    client_name: record.name,
    grant_types: record.grantTypes,
    redirect_uris: record.redirectUris,
    response_types: record.grantTypes.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: record.isPublic ? 'none' : 'client_secret_basic',
  };
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
  if (record.clientUri) metadata.client_uri = record.clientUri;
  if (record.logoUri) metadata.logo_uri = record.logoUri;
  // The OpenID scopes a browser client may ask for: those registered, or a sign-in default.
  if (
    record.grantTypes.includes('authorization_code') ||
    record.grantTypes.includes('urn:ietf:params:oauth:grant-type:device_code')
  ) {
    const registered = record.scopes.filter((s) => OIDC_SCOPES.includes(s));
    const scopes = registered.length > 0 ? registered : ['openid', 'profile', 'email'];
    if (record.grantTypes.includes('refresh_token') && !scopes.includes('offline_access')) {
      scopes.push('offline_access');
    }
    metadata.scope = scopes.join(' ');
  }
  if (!record.isPublic) metadata.client_secret = PLACEHOLDER_SECRET;
  return { record, secrets, metadata };
}

function isLoopbackHttp(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  } catch {
    return false;
  }
}
