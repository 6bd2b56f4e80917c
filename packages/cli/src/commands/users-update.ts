import type { Command } from 'commander';
import { usersBackend } from '../backends/select-users.ts';
import { CliError } from '../errors.ts';
import { userJson } from '../format/users.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis users update ID|USERNAME --email ADDRESS | --no-email`. */
export function registerUsersUpdate(users: Command, io: Io): void {
  users
    .command('update')
    .description(
      "set or clear a user's e-mail address; a new address is unverified until its owner follows a verification link",
    )
    .argument('<user>', 'user id or username (any case)')
    .option('--email <email>', 'the new address (unverified)')
    .option('--no-email', 'remove the address (no password reset by mail then)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis users update alice --email alice@example.com')
    .action(async (idOrUsername: string, options: { email?: string | false; json?: boolean }) => {
      if (options.email === undefined) {
        throw new CliError('nothing to change: give --email ADDRESS or --no-email', 2);
      }
      const email = options.email === false ? null : options.email;
      const user = await (await usersBackend(io)).setEmail(idOrUsername, email);
      if (options.json) return printJson(io, userJson(user));
      printLines(io, [
        user.email
          ? `user "${user.username}" (${user.id}) has the address ${user.email}${user.emailVerified ? ' (verified)' : ' (not verified)'}`
          : `user "${user.username}" (${user.id}) has no address now`,
      ]);
    });
}
