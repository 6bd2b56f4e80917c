import type { Command } from 'commander';
import { userJson } from '../format/users.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

/** `portcullis users enable ID|USERNAME`: lets a disabled user sign in again. */
export function registerUsersEnable(users: Command, io: Io): void {
  users
    .command('enable')
    .description('let a disabled user sign in again (grants revoked when disabled stay revoked)')
    .argument('<user>', 'user id or username (any case)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis users enable alice')
    .action(async (idOrUsername: string, options: { json?: boolean }) => {
      const { createUsersService } = await loadServices();
      const user = await withDatabase(io, (db) =>
        createUsersService(db).enable(idOrUsername, { actor: cliActor(io) }),
      );
      if (options.json) return printJson(io, userJson(user));
      printLines(io, [`enabled user "${user.username}" (${user.id})`]);
    });
}
