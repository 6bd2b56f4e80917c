import type { ClientRecord } from '@portcullis/storage';
import type { ClientFacts, SecretFacts, SigningKeyFacts } from '../../src/index.ts';

/** The frozen "now" every unit test of the doctor measures ages against. */
export const NOW = new Date('2030-06-01T12:00:00Z');

/** `NOW` minus `days` (plus `seconds`). */
export const daysAgo = (days: number, seconds = 0) =>
  new Date(NOW.getTime() - days * 86_400_000 - seconds * 1000);

/** `NOW` plus `days`. */
export const daysAhead = (days: number) => new Date(NOW.getTime() + days * 86_400_000);

/** A sound confidential web client, used yesterday; `fields` override. */
export function client(fields: Partial<ClientRecord> = {}): ClientRecord {
  return {
    id: 'c1',
    name: 'web app',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: ['https://app.example.com/cb'],
    webOrigins: [],
    dpopBoundAccessTokens: false,
    requirePushedAuthorizationRequests: false,
    requireMfa: false,
    backchannelLogoutUri: null,
    backchannelLogoutSessionRequired: false,
    scopes: ['openid'],
    resources: [],
    mayExchangeFor: [],
    isPublic: false,
    tokenEndpointAuthMethod: 'client_secret_basic',
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
    lastUsedAt: daysAgo(1),
    createdAt: daysAgo(30),
    updatedAt: daysAgo(30),
    ...fields,
  };
}

/** A live secret created 10 days ago; `fields` override. */
export function secret(fields: Partial<SecretFacts> = {}): SecretFacts {
  return {
    id: '1',
    clientId: 'c1',
    name: 'secret-1',
    createdAt: daysAgo(10),
    expiresAt: null,
    lastUsedAt: daysAgo(1),
    ...fields,
  };
}

/** A client with `secrets` (one live secret by default). */
export function withSecrets(
  record: ClientRecord,
  secrets: SecretFacts[] = [secret({ clientId: record.id })],
): ClientFacts {
  return { client: record, secrets };
}

/** An active, decryptable ES256 key created 30 days ago; `fields` override. */
export function key(fields: Partial<SigningKeyFacts> = {}): SigningKeyFacts {
  return {
    kid: 'kid-es',
    alg: 'ES256',
    state: 'active',
    createdAt: daysAgo(30),
    activatedAt: daysAgo(30),
    retiredAt: null,
    activatesAt: null,
    removesAt: null,
    decrypts: true,
    ...fields,
  };
}

/** One sound active key per algorithm. */
export const soundKeys = (): SigningKeyFacts[] => [key(), key({ kid: 'kid-rs', alg: 'RS256' })];

/** The ids of `findings`, in order. */
export const ids = (findings: ReadonlyArray<{ id: string }>) => findings.map((f) => f.id);
