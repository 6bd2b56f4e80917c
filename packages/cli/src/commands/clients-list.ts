import { shortGrant } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { loadServices } from '../lazy.ts';
import { printJson, printTable, styled } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';
import { clientJson, clientType } from './clients-show.ts';

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
