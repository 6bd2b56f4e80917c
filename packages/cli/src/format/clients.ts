import type { SecretSummary } from '@portcullis/auth-server';
import {
  DEFAULT_REFRESH_TOKEN_TTL,
  formatDuration,
  shortGrant,
} from '@portcullis/auth-server/config';
import type { ClientRecord } from '@portcullis/storage';
import { printTable, styled, when } from '../output.ts';
import type { Io } from '../runtime.ts';

// How clients and their secrets are shown, by every clients command. Their JSON shapes,
// clientJson and secretJson, are the admin API's, from @portcullis/auth-server/config.

/**
 * Prints secrets as a table: name, created, expires (or "expired"), last used.
 *
 * @example
 * printSecrets(io, secrets); // SECRET  CREATED  EXPIRES  LAST USED
 */
export function printSecrets(io: Io, secrets: readonly SecretSummary[], now = new Date()): void {
  printTable(
    io,
    ['SECRET', 'CREATED', 'EXPIRES', 'LAST USED'],
    secrets.map((s) => [
      s.name,
      when(s.createdAt),
      s.expiresAt === null
        ? 'never'
        : s.expiresAt <= now
          ? styled(`${when(s.expiresAt)} (expired)`, 'red')
          : when(s.expiresAt),
      s.lastUsedAt ? when(s.lastUsedAt) : 'never',
    ]),
  );
}

/**
 * A `private_key_jwt` client's keys as people read them: the ids of the keys it holds
 * (`k-2025, k-2026`), or where it publishes them.
 *
 * @example
 * keyList(client); // 'k-2025, k-2026'
 */
export function keyList(client: ClientRecord): string {
  if (client.jwksUri) return `published at ${client.jwksUri}`;
  return (client.jwks?.keys ?? []).map((key) => key.kid ?? '(no kid)').join(', ') || '-';
}

/**
 * The client's type as people read it: `confidential, first-party`, `public, third-party`, and
 * `, dynamic` for a client that registered itself (RFC 7591).
 */
export function clientType(client: ClientRecord): string {
  return `${client.isPublic ? 'public' : 'confidential'}${client.firstParty ? ', first-party' : ', third-party'}${client.registeredVia === 'dynamic' ? ', dynamic' : ''}`;
}

// How the client was registered, as `show` says it.
function registeredBy(client: ClientRecord): string {
  if (client.registeredVia === 'operator') return 'by an operator';
  // The column is null after an open registration (no token), and once a token is deleted.
  if (client.registrationTokenId === null) {
    return 'dynamically (RFC 7591), by open registration or with an initial access token since deleted';
  }
  return `dynamically (RFC 7591) with initial access token ${client.registrationTokenId}`;
}

/**
 * The lines `show`, `update` and the other commands print for a client.
 *
 * @example
 * printLines(io, describeClient(client));
 */
export function describeClient(client: ClientRecord): string[] {
  const ttl = (seconds: number | null, fallback: string) =>
    seconds === null ? fallback : formatDuration(seconds);
  return [
    `name:              ${client.name}`,
    `client_id:         ${client.id}`,
    `type:              ${clientType(client)}`,
    `registered:        ${registeredBy(client)}`,
    `authentication:    ${client.tokenEndpointAuthMethod}${client.tokenEndpointAuthMethod === 'private_key_jwt' ? ` (keys: ${keyList(client)})` : ''}`,
    `status:            ${client.disabledAt ? `disabled since ${when(client.disabledAt)}` : 'active'}`,
    `grants:            ${client.grantTypes.map(shortGrant).join(', ')}`,
    `scope:             ${client.scopes.join(' ') || '-'}`,
    `resources:         ${client.resources.join(', ') || '-'}`,
    `exchanges for:     ${client.mayExchangeFor.join(', ') || '-'}`,
    `redirect URIs:     ${client.redirectUris.join(', ') || '-'}`,
    `web origins:       ${client.webOrigins.join(', ') || '-'}`,
    `DPoP required:     ${client.dpopBoundAccessTokens ? 'yes' : 'no'}`,
    `PAR required:      ${client.requirePushedAuthorizationRequests ? 'yes' : 'no'}`,
    `MFA required:      ${client.requireMfa ? 'yes' : 'no'}`,
    `logout URI:        ${backchannelLogout(client)}`,
    `homepage:          ${client.clientUri ?? '-'}`,
    `logo:              ${client.logoUri ?? '-'}`,
    `access-token TTL:  ${ttl(client.accessTokenTtl, "the resource's")}`,
    ...(client.grantTypes.includes('refresh_token')
      ? [
          `refresh-token TTL: ${ttl(client.refreshTokenTtl, `${formatDuration(DEFAULT_REFRESH_TOKEN_TTL)} (default)`)}`,
        ]
      : []),
    `last used:         ${client.lastUsedAt ? when(client.lastUsedAt) : 'never'}`,
    `created:           ${when(client.createdAt)}`,
  ];
}

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
];

/**
 * How long ago `date` was, as a table shows it: `never`, `just now`, `5 min ago`, `3 h ago`,
 * `12 d ago`.
 *
 * @example
 * ago(new Date(Date.now() - 90_000)); // '1 min ago'
 */
export function ago(date: Date | null, now = new Date()): string {
  if (!date) return 'never';
  const elapsed = now.getTime() - date.getTime();
  for (const [unit, size] of UNITS) {
    if (elapsed >= size) return `${Math.floor(elapsed / size)} ${unit} ago`;
  }
  return 'just now';
}

// Where its logout tokens go, and whether they carry the session id.
function backchannelLogout(client: ClientRecord): string {
  if (!client.backchannelLogoutUri) return '-';
  return client.backchannelLogoutSessionRequired
    ? `${client.backchannelLogoutUri} (with sid)`
    : client.backchannelLogoutUri;
}
