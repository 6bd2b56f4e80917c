import { shortGrant } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { ago, clientJson, clientType } from '../format/clients.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printTable, styled } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/** `portcullis clients list`: name, id, type, grants, last use and status of every client. */
export function registerClientsList(clients: Command, io: Io): void {
  clients
    .command('list')
    .description('list registered clients with their type, grants and last use')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis clients list --json')
    .action(async (options: { json?: boolean }) => {
      const { createClientsService } = await loadServices();
      const list = await withDatabase(io, (db) => createClientsService(db).list());
      if (options.json) return printJson(io, list.map(clientJson));
      const now = new Date();
      printTable(
        io,
        ['NAME', 'CLIENT ID', 'TYPE', 'GRANTS', 'LAST USED', 'STATUS'],
        list.map((c) => [
          c.name,
          c.id,
          clientType(c),
          c.grantTypes.map(shortGrant).join(','),
          ago(c.lastUsedAt, now),
          c.disabledAt ? styled('disabled', 'red') : 'active',
        ]),
      );
    });
}
