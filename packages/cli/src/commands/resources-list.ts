import { formatDuration } from '@portcullis/auth-server/config';
import type { ResourceRecord } from '@portcullis/storage';
import type { Command } from 'commander';
import { loadServices } from '../lazy.ts';
import { printJson, printTable } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/** A resource in the CLI's JSON shape for lists (`access_token_ttl` in seconds). */
export function resourceJson(resource: ResourceRecord) {
  return {
    identifier: resource.identifier,
    name: resource.name,
    access_token_ttl: resource.accessTokenTtl,
    access_token_format: resource.accessTokenFormat,
    scopes: resource.scopes,
  };
}

/** One resource in full (`show`, `create`, `update`): the list shape plus its introspection clients. */
export function resourceDetailJson(resource: ResourceRecord) {
  return { ...resourceJson(resource), introspection_clients: resource.introspectionClients };
}

/** `portcullis resources list`. */
export function registerResourcesList(resources: Command, io: Io): void {
  resources
    .command('list')
    .description('list API resources, their token settings and scopes')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis resources list')
    .action(async (options: { json?: boolean }) => {
      const { createResourcesService } = await loadServices();
      const list = await withDatabase(io, (db) => createResourcesService(db).list());
      if (options.json) return printJson(io, list.map(resourceJson));
      printTable(
        io,
        ['IDENTIFIER', 'NAME', 'FORMAT', 'TOKEN TTL', 'SCOPES'],
        list.map((r) => [
          r.identifier,
          r.name,
          r.accessTokenFormat,
          formatDuration(r.accessTokenTtl),
          r.scopes.map((s) => s.name).join(' '),
        ]),
      );
    });
}
