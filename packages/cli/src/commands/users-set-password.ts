import type { Command } from 'commander';
import { usersBackend } from '../backends/select-users.ts';
import { userJson } from '../format/users.ts';
import { printJson, printLines } from '../output.ts';
import { readStdinPassword, refusePasswordArgument } from '../read-stdin-password.ts';
import type { Io } from '../runtime.ts';

/** `portcullis users set-password ID|USERNAME --password-stdin`. */
export function registerUsersSetPassword(users: Command, io: Io): void {
  refusePasswordArgument(users.command('set-password'))
    .description("replace a user's password, read from stdin")
    .argument('<user>', 'user id or username (any case)')
    .requiredOption('--password-stdin', 'read the new password from stdin (8 to 1024 characters)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `\nExample:\n  $ printf '%s' "$PASSWORD" | portcullis users set-password alice --password-stdin`,
    )
    .action(async (idOrUsername: string, options: { passwordStdin: true; json?: boolean }) => {
      const password = await readStdinPassword(io);
      const user = await (await usersBackend(io)).setPassword(idOrUsername, password);
      if (options.json) return printJson(io, userJson(user));
      printLines(io, [`changed the password of user "${user.username}" (${user.id})`]);
    });
}
