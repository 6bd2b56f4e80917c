import { createClientsService } from '@portcullis/auth-server';
import type { ClientRecord } from '@portcullis/storage';
import type { Command } from 'commander';
import { printJson, printLines, printTable, when } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/** A client in the CLI's JSON shape (OAuth metadata names). */
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
    disabled: client.disabledAt !== null,
    created_at: client.createdAt.toISOString(),
  };
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
      const { client, secrets } = await withDatabase(io, (db) =>
        createClientsService(db).show(idOrName),
      );
      if (options.json) {
        return printJson(io, {
          ...clientJson(client),
          secrets: secrets.map((s) => ({
            id: s.id,
            name: s.name,
            created_at: s.createdAt.toISOString(),
            expires_at: s.expiresAt?.toISOString() ?? null,
            last_used_at: s.lastUsedAt?.toISOString() ?? null,
          })),
        });
      }
      const json = clientJson(client);
      printLines(io, [
        `name:          ${json.name}`,
        `client_id:     ${json.client_id}`,
        `type:          ${json.public ? 'public' : 'confidential'}${json.first_party ? ', first-party' : ''}`,
        `status:        ${json.disabled ? 'disabled' : 'active'}`,
        `grants:        ${json.grant_types.join(', ')}`,
        `scope:         ${json.scope || '-'}`,
        `resources:     ${json.resources.join(', ') || '-'}`,
        `redirect URIs: ${json.redirect_uris.join(', ') || '-'}`,
        `created:       ${json.created_at}`,
        '',
      ]);
      printTable(
        io,
        ['SECRET', 'CREATED', 'EXPIRES', 'LAST USED'],
        secrets.map((s) => [s.name, when(s.createdAt), when(s.expiresAt), when(s.lastUsedAt)]),
      );
    });
}
