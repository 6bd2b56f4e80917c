import type * as Client from 'openid-client';
import type { UpstreamAccount, UpstreamProvider } from './identity-providers-service.ts';
import { UpstreamError } from './upstream-error.ts';

/** What the callback must check, kept by our side between the two legs (never in the URL). */
export interface UpstreamChecks {
  state: string;
  /** OpenID Connect only: bound into the ID token. */
  nonce?: string;
  /** PKCE (RFC 7636, S256). */
  verifier: string;
}

/** How long a provider's discovered metadata is reused before it is fetched again. */
const DISCOVERY_TTL_MS = 10 * 60 * 1000;
/** Seconds to wait for each request to the provider. */
const TIMEOUT_SECONDS = 5;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

// openid-client (and oauth4webapi under it) loads with the first sign-in through another
// provider, not with the server: most servers have none (docs/benchmarks.md, "Memory").
let loaded: Promise<typeof Client> | undefined;
const openidClient = () => (loaded ??= import('openid-client'));

/**
 * The upstream leg of "Sign in with": openid-client as the client of another provider, with PKCE
 * (S256), state and, for OpenID Connect, a nonce. `redirectUri` is our callback
 * (`<issuer>/idp/callback`), registered at every provider. Discovery is cached per provider (and
 * per version of its settings) for ten minutes. Upstream tokens are used once, to read who the
 * user is, and never stored.
 *
 * @example
 * const upstream = createUpstreamClient(`${issuer}/idp/callback`);
 * const { url, checks } = await upstream.begin(provider);
 */
export function createUpstreamClient(redirectUri: string) {
  const configurations = new Map<string, { config: Client.Configuration; until: number }>();

  async function configurationOf(provider: UpstreamProvider): Promise<Client.Configuration> {
    const key = `${provider.id}:${provider.updatedAt.getTime()}`;
    const cached = configurations.get(key);
    if (cached && cached.until > Date.now()) return cached.config;
    const client = await openidClient();
    // Any failure here (down, a timeout, no discovery document) means the provider is out of reach.
    const config = await reaching(provider, 'upstream_unreachable', async () => {
      if (provider.kind === 'github') {
        const github = new client.Configuration(
          {
            issuer: new URL(provider.authorizationEndpoint as string).origin,
            authorization_endpoint: provider.authorizationEndpoint as string,
            token_endpoint: provider.tokenEndpoint as string,
          },
          provider.clientId,
          undefined,
          client.ClientSecretPost(provider.clientSecret),
        );
        if (loopbackHttp(provider.authorizationEndpoint)) client.allowInsecureRequests(github);
        return github;
      }
      return client.discovery(
        new URL(provider.issuer as string),
        provider.clientId,
        undefined,
        client.ClientSecretBasic(provider.clientSecret),
        {
          timeout: TIMEOUT_SECONDS,
          ...(loopbackHttp(provider.issuer) ? { execute: [client.allowInsecureRequests] } : {}),
        },
      );
    });
    for (const old of configurations.keys()) {
      if (old.startsWith(`${provider.id}:`)) configurations.delete(old);
    }
    configurations.set(key, { config, until: Date.now() + DISCOVERY_TTL_MS });
    return config;
  }

  return {
    /** Where to send the browser, and what the callback must check. */
    async begin(provider: UpstreamProvider): Promise<{ url: URL; checks: UpstreamChecks }> {
      const config = await configurationOf(provider);
      const client = await openidClient();
      const checks: UpstreamChecks = {
        state: client.randomState(),
        verifier: client.randomPKCECodeVerifier(),
        ...(provider.kind === 'oidc' ? { nonce: client.randomNonce() } : {}),
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: provider.scope,
        state: checks.state,
        code_challenge: await client.calculatePKCECodeChallenge(checks.verifier),
        code_challenge_method: 'S256',
        ...(checks.nonce ? { nonce: checks.nonce } : {}),
      });
      return { url, checks };
    },

    /**
     * Redeems the code of the callback (`query`: its query string) with the checks of
     * {@link begin}, and reads who the user is: an OpenID Connect provider's ID token and
     * userinfo, GitHub's `/user` and `/user/emails`.
     */
    async finish(
      provider: UpstreamProvider,
      query: string,
      checks: UpstreamChecks,
    ): Promise<UpstreamAccount> {
      const config = await configurationOf(provider);
      const client = await openidClient();
      const callback = new URL(redirectUri);
      callback.search = query;
      const tokens = await reaching(provider, undefined, () =>
        client.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: checks.verifier,
          expectedState: checks.state,
          ...(checks.nonce ? { expectedNonce: checks.nonce, idTokenExpected: true } : {}),
        }),
      );
      return reaching(provider, undefined, () =>
        provider.kind === 'github'
          ? githubAccount(config, provider, tokens.access_token)
          : oidcAccount(config, tokens),
      );
    },
  };
}

/** The object {@link createUpstreamClient} returns. */
export type UpstreamClient = ReturnType<typeof createUpstreamClient>;

async function oidcAccount(
  config: Client.Configuration,
  tokens: Awaited<ReturnType<typeof Client.authorizationCodeGrant>>,
): Promise<UpstreamAccount> {
  const client = await openidClient();
  const idToken = tokens.claims();
  if (!idToken) throw new UpstreamError('upstream_refused', 'the provider sent no ID token');
  // Claims asked for by scope come from userinfo (an ID token may carry only `sub`).
  const claims: Record<string, unknown> = config.serverMetadata().userinfo_endpoint
    ? { ...idToken, ...(await client.fetchUserInfo(config, tokens.access_token, idToken.sub)) }
    : { ...idToken };
  return accountOf(String(idToken.sub), claims);
}

async function githubAccount(
  config: Client.Configuration,
  provider: UpstreamProvider,
  accessToken: string,
): Promise<UpstreamAccount> {
  const client = await openidClient();
  const api = (provider.apiUrl as string).replace(/\/$/, '');
  const read = async (path: string) => {
    const response = await client.fetchProtectedResource(
      config,
      accessToken,
      new URL(`${api}${path}`),
      'GET',
      undefined,
      new Headers({ accept: 'application/vnd.github+json' }),
    );
    if (!response.ok) {
      throw new UpstreamError('upstream_refused', `GitHub's ${path} answered ${response.status}`);
    }
    return response.json() as Promise<unknown>;
  };
  const user = (await read('/user')) as { id?: unknown; login?: unknown; name?: unknown };
  if (typeof user.id !== 'number' && typeof user.id !== 'string') {
    throw new UpstreamError('upstream_refused', "GitHub's /user has no id");
  }
  // Only with the user:email scope; the primary address, when GitHub verified it.
  const emails = provider.scope.split(' ').includes('user:email')
    ? ((await read('/user/emails')) as Array<{
        email?: unknown;
        primary?: unknown;
        verified?: unknown;
      }>)
    : [];
  const primary = Array.isArray(emails) ? emails.find((e) => e.primary === true) : undefined;
  return accountOf(String(user.id), {
    preferred_username: user.login,
    name: user.name,
    email: primary?.email,
    email_verified: primary?.verified === true,
  });
}

function accountOf(sub: string, claims: Record<string, unknown>): UpstreamAccount {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const email = claims.email_verified === true ? text(claims.email) : undefined;
  const username = text(claims.preferred_username);
  const name = text(claims.name);
  return {
    sub,
    ...(email ? { verifiedEmail: email } : {}),
    ...(username ? { username } : {}),
    ...(name ? { name } : {}),
  };
}

// Runs a step against the provider: a network failure or a timeout is `upstream_unreachable`, any
// other failure (an error answer, a bad token, a state or nonce that does not match)
// `upstream_refused`, unless `always` names the code.
async function reaching<T>(
  provider: UpstreamProvider,
  always: UpstreamError['code'] | undefined,
  step: () => Promise<T> | T,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof UpstreamError) {
      throw new UpstreamError(always ?? error.code, error.message, provider.name, { cause: error });
    }
    const code = always ?? (unreachable(error) ? 'upstream_unreachable' : 'upstream_refused');
    throw new UpstreamError(code, describe(error), provider.name, { cause: error });
  }
}

function unreachable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { name, message, code, cause, status } = error as Record<string, unknown>;
  if (name === 'TimeoutError' || name === 'AbortError') return true;
  if (name === 'TypeError' && message === 'fetch failed') return true;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  // A provider answering 5xx (or a discovery document that is not there) is down for us.
  if (typeof status === 'number' && status >= 500) return true;
  return unreachable(cause, depth + 1);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : 'failed';
}

function loopbackHttp(url: string | null): boolean {
  if (!url) return false;
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname);
}
