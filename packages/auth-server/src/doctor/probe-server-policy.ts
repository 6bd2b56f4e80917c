import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ArtifactsRepository,
  ClientRecord,
  ClientsRepository,
  ResourcesRepository,
} from '@portcullis/storage';
import type { ServerConfig } from '../config/server-config.ts';
import { decryptPrivateKey } from '../keys/key-encryption.ts';
import { generateSigningKey, type PrivateJwk, SIGNING_ALGORITHMS } from '../keys/signing-keys.ts';
import { createProvider } from '../provider/create-provider.ts';
import { createClientRegistry } from '../registry/client-registry.ts';
import { createResourceRegistry } from '../registry/resource-registry.ts';
import { DEFAULT_BRAND } from '../views/brand.ts';
import { BUILT_IN_CATALOGUE } from '../views/i18n.ts';
import type { ServerPolicyFacts } from './facts.ts';

const PROBE_ISSUER = 'https://portcullis.invalid';
const PROBE_REDIRECT = 'https://client.invalid/callback';
const TIMEOUT_MS = 5000;

// A public authorization-code client, the kind PKCE matters most for. It lives only in memory.
const probeClient = (): ClientRecord => {
  const now = new Date();
  return {
    id: 'doctor-probe',
    name: 'doctor probe',
    grantTypes: ['authorization_code'],
    redirectUris: [PROBE_REDIRECT],
    webOrigins: [],
    dpopBoundAccessTokens: false,
    requirePushedAuthorizationRequests: false,
    requireMfa: false,
    backchannelLogoutUri: null,
    backchannelLogoutSessionRequired: false,
    scopes: ['openid'],
    resources: [],
    mayExchangeFor: [],
    isPublic: true,
    tokenEndpointAuthMethod: 'none',
    jwks: null,
    jwksUri: null,
    firstParty: false,
    clientUri: null,
    logoUri: null,
    accessTokenTtl: null,
    refreshTokenTtl: null,
    registeredVia: 'operator',
    registrationTokenId: null,
    disabledAt: null,
    lastUsedAt: null,
    createdAt: now,
    updatedAt: now,
  };
};

// The provider with in-memory stand-ins for the database: the client registry knows only the
// probe client, nothing is ever stored (a write would fail the probe loudly), reads find nothing.
async function buildProbeProvider() {
  const client = probeClient();
  const kek = randomBytes(32);
  const keys = await Promise.all(SIGNING_ALGORITHMS.map((alg) => generateSigningKey(alg, kek)));
  const config: ServerConfig = {
    mode: 'production',
    issuer: PROBE_ISSUER,
    host: '127.0.0.1',
    port: 0,
    cookieKeys: [randomBytes(32).toString('base64url')],
    keyEncryptionKey: kek,
    trustProxy: false,
    registrationOpenResources: [],
    registration: false,
    adminApi: false,
    adminConsole: false,
    consoleSessions: { idleSeconds: 1800, maxSeconds: 36_000 },
    refreshReuseGraceSeconds: 0,
    dpopNonce: false,
    // Off whatever the environment says: with it on, the request without PKCE below would be
    // refused for not being pushed, and PKCE would go unchecked.
    requirePar: false,
    mail: { smtpUrl: undefined, from: 'probe@localhost' },
    mfa: 'off',
    brand: DEFAULT_BRAND,
    signup: 'off',
    messages: BUILT_IN_CATALOGUE,
    janitorIntervalSeconds: 0,
    shutdownGraceSeconds: 0,
    limits: {
      clientAuth: null,
      clientAuthAddress: null,
      signIn: null,
      signInAddress: null,
      deviceCode: null,
      deviceCodeAddress: null,
      signup: null,
      signupAddress: null,
      registrationAddress: null,
    },
    metricsPort: undefined,
    metricsHost: '127.0.0.1',
  };
  // Only the methods the registries call; the casts stand for repositories without a database.
  const clients = {
    findById: async (id: string) => (id === client.id ? client : undefined),
    secrets: async () => [],
    touchClient: async () => {},
    touchSecret: async () => {},
  } as unknown as ClientsRepository;
  const resources = { find: async () => undefined } as unknown as ResourcesRepository;
  const artifacts = new Proxy(
    {},
    {
      get: (_target, method) => async () => {
        if (method === 'find') return undefined;
        throw new Error(`the doctor's probe stores nothing (${String(method)})`);
      },
    },
  ) as ArtifactsRepository;
  return createProvider({
    config,
    clients: createClientRegistry({ clients }),
    resources: createResourceRegistry({ resources }),
    artifacts,
    grants: { findLatestFor: async () => undefined },
    jwks: keys.map(
      (key) => JSON.parse(decryptPrivateKey(key.privateJwkEncrypted, kek, key.kid)) as PrivateJwk,
    ),
    users: { findById: async () => undefined },
    roles: { onResource: async () => ({ roles: [], scopes: [] }) },
    refreshReuseGraceSeconds: 0,
  });
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** The `error` an authorization response carried in its redirect (query or fragment). */
function redirectError(response: Response): string | undefined {
  const location = response.headers.get('location');
  if (!location) return response.status >= 400 ? `HTTP ${response.status}` : undefined;
  const url = new URL(location);
  const params = url.search ? url.searchParams : new URLSearchParams(url.hash.slice(1));
  return params.get('error') ?? undefined;
}

/**
 * Asks the authorization server's own oidc-provider configuration (built by the very function
 * `serve` uses) what it allows: its discovery document, and the answer to an authorization
 * request without PKCE. The provider runs in this process with no database, on a loopback port,
 * for two requests; nothing is stored anywhere.
 *
 * @example
 * const policy = await probeServerPolicy();
 * policy.missingChallengeError; // 'invalid_request'
 */
export async function probeServerPolicy(): Promise<ServerPolicyFacts> {
  const provider = await buildProbeProvider();
  const handle = provider.callback();
  // Koa answers a failing request itself (ctx.onerror): the promise it returns never rejects.
  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const signal = AbortSignal.timeout(TIMEOUT_MS);
    const discovery = (await (
      await fetch(`${base}/.well-known/openid-configuration`, { signal })
    ).json()) as Record<string, unknown>;
    const authorize = new URL(`${base}/auth`);
    for (const [name, value] of Object.entries({
      client_id: probeClient().id,
      redirect_uri: PROBE_REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: randomBytes(8).toString('hex'),
    })) {
      authorize.searchParams.set(name, value);
    }
    const withoutPkce = await fetch(authorize, { redirect: 'manual', signal });
    return {
      responseTypes: strings(discovery.response_types_supported),
      grantTypes: strings(discovery.grant_types_supported),
      codeChallengeMethods: strings(discovery.code_challenge_methods_supported),
      tokenEndpointAuthMethods: strings(discovery.token_endpoint_auth_methods_supported),
      signingAlgorithms: [
        ...new Set(
          Object.entries(discovery)
            .filter(([name]) => /signing_alg_values_supported$/.test(name))
            .flatMap(([, value]) => strings(value)),
        ),
      ],
      missingChallengeError: redirectError(withoutPkce),
      pushedAuthorizationRequestEndpoint:
        typeof discovery.pushed_authorization_request_endpoint === 'string'
          ? discovery.pushed_authorization_request_endpoint
          : undefined,
      requestObjects: discovery.request_parameter_supported === true,
    };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
