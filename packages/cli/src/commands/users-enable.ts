import type { Command } from 'commander';
import { usersBackend } from '../backends/select-users.ts';
import { userJson } from '../format/users.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis users enable ID|USERNAME`: lets a disabled user sign in again. */
export function registerUsersEnable(users: Command, io: Io): void {
  users
    .command('enable')
    .description('let a disabled user sign in again (grants revoked when disabled stay revoked)')
    .argument('<user>', 'user id or username (any case)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis users enable alice')
    .action(async (idOrUsername: string, options: { json?: boolean }) => {
      const user = await (await usersBackend(io)).enable(idOrUsername);
      if (options.json) return printJson(io, userJson(user));
      printLines(io, [`enabled user "${user.username}" (${user.id})`]);
    });
}
