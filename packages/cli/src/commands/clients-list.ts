import { clientJson, shortGrant } from '@portcullis/auth-server/config';
import { type Command, Option } from 'commander';
import { clientsBackend } from '../backends/select-clients.ts';
import { ago, clientType } from '../format/clients.ts';
import { printJson, printTable, styled } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis clients list`: name, id, type, grants, last use and status of every client. */
export function registerClientsList(clients: Command, io: Io): void {
  clients
    .command('list')
    .description('list registered clients with their type, grants and last use')
    .addOption(
      new Option(
        '--registered <how>',
        'only clients registered this way: operator (CLI, apply) or dynamic (RFC 7591)',
      ).choices(['operator', 'dynamic']),
    )
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis clients list --registered dynamic --json')
    .action(async (options: { json?: boolean; registered?: 'operator' | 'dynamic' }) => {
      const all = await (await clientsBackend(io)).list();
      const list = options.registered
        ? all.filter((c) => c.registeredVia === options.registered)
        : all;
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
