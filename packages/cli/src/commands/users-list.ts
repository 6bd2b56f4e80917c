import type { Command } from 'commander';
import { usersBackend } from '../backends/select-users.ts';
import { userJson } from '../format/users.ts';
import { printJson, printTable, styled, when } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis users list`. */
export function registerUsersList(users: Command, io: Io): void {
  users
    .command('list')
    .description('list users, oldest first')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis users list --json')
    .action(async (options: { json?: boolean }) => {
      const list = await (await usersBackend(io)).list();
      if (options.json) return printJson(io, list.map(userJson));
      printTable(
        io,
        ['USERNAME', 'ID', 'EMAIL', 'STATUS', 'CREATED'],
        list.map((u) => [
          u.username,
          u.id,
          u.email ?? '-',
          u.disabledAt ? styled('disabled', 'red') : 'active',
          when(u.createdAt),
        ]),
      );
    });
}
