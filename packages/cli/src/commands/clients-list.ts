import { createClientsService } from '@portcullis/auth-server';
import type { Command } from 'commander';
import { printJson, printTable } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';
import { clientJson } from './clients-show.ts';

/** `portcullis clients list`. */
export function registerClientsList(clients: Command, io: Io): void {
  clients
    .command('list')
    .description('list registered clients')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis clients list --json')
    .action(async (options: { json?: boolean }) => {
      const list = await withDatabase(io, (db) => createClientsService(db).list());
      if (options.json) return printJson(io, list.map(clientJson));
      printTable(
        io,
        ['NAME', 'CLIENT ID', 'TYPE', 'GRANTS', 'STATUS'],
        list.map((c) => [
          c.name,
          c.id,
          `${c.isPublic ? 'public' : 'confidential'}${c.firstParty ? ', first-party' : ''}`,
          c.grantTypes.join(','),
          c.disabledAt ? 'disabled' : 'active',
        ]),
      );
    });
}
