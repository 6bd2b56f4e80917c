import type { SecretSummary } from '@portcullis/auth-server';
import { formatDuration, shortGrant } from '@portcullis/auth-server/config';
import type { ClientRecord } from '@portcullis/storage';
import type { Command } from 'commander';
import { loadServices } from '../lazy.ts';
import { printJson, printLines, printTable, styled, when } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/**
 * A client in the CLI's JSON shape (OAuth metadata names; lifetimes in seconds, null when the
 * client has none of its own).
 *
 * @example
 * printJson(io, clientJson(client)); // { client_id, name, grant_types, ... }
 */
export function clientJson(client: ClientRecord) {
  return {
    client_id: client.id,
    name: client.name,
    grant_types: client.grantTypes,
    redirect_uris: client.redirectUris,
    scope: client.scopes.join(' '),
    resources: client.resources,
    public: client.isPublic,
    first_party: client.firstParty,
    homepage: client.clientUri,
    logo_uri: client.logoUri,
    access_token_ttl: client.accessTokenTtl,
    refresh_token_ttl: client.refreshTokenTtl,
    disabled: client.disabledAt !== null,
    last_used_at: client.lastUsedAt?.toISOString() ?? null,
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
  };
}

/**
 * A client secret in the CLI's JSON shape: its name and dates, never its value or hash.
 *
 * @example
 * printJson(io, secrets.map((s) => secretJson(s, new Date())));
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

/** The client's type as people read it: `confidential, first-party`, `public, third-party`, ... */
export function clientType(client: ClientRecord): string {
  return `${client.isPublic ? 'public' : 'confidential'}${client.firstParty ? ', first-party' : ', third-party'}`;
}

/** `portcullis clients show ID|NAME`: the client and its secrets (never their values). */
export function registerClientsShow(clients: Command, io: Io): void {
  clients
    .command('show')
    .description('show one client and its secrets (names and dates, never values)')
    .argument('<client>', 'client id or name')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis clients show billing')
    .action(async (idOrName: string, options: { json?: boolean }) => {
      const { createClientsService } = await loadServices();
      const { client, secrets } = await withDatabase(io, (db) =>
        createClientsService(db).show(idOrName),
      );
      const now = new Date();
      if (options.json) {
        return printJson(io, {
          ...clientJson(client),
          secrets: secrets.map((s) => secretJson(s, now)),
        });
      }
      printLines(io, describeClient(client));
      if (!client.isPublic) {
        printLines(io, ['']);
        printSecrets(io, secrets, now);
      }
    });
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
    `status:            ${client.disabledAt ? `disabled since ${when(client.disabledAt)}` : 'active'}`,
    `grants:            ${client.grantTypes.map(shortGrant).join(', ')}`,
    `scope:             ${client.scopes.join(' ') || '-'}`,
    `resources:         ${client.resources.join(', ') || '-'}`,
    `redirect URIs:     ${client.redirectUris.join(', ') || '-'}`,
    `homepage:          ${client.clientUri ?? '-'}`,
    `logo:              ${client.logoUri ?? '-'}`,
    `access-token TTL:  ${ttl(client.accessTokenTtl, "the resource's")}`,
    ...(client.grantTypes.includes('refresh_token')
      ? [`refresh-token TTL: ${ttl(client.refreshTokenTtl, '14d (default)')}`]
      : []),
    `last used:         ${client.lastUsedAt ? when(client.lastUsedAt) : 'never'}`,
    `created:           ${when(client.createdAt)}`,
  ];
}
