import type { Command } from 'commander';
import { usersBackend } from '../backends/select-users.ts';
import { CliError } from '../errors.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/**
 * `portcullis users unlock USERNAME`: forgets the failed sign-ins counted for a username, and so
 * lifts its lockout at once on every server.
 */
export function registerUsersUnlock(users: Command, io: Io): void {
  users
    .command('unlock')
    .description(
      'forget the failed sign-ins counted for a username, lifting its lockout at once on every server',
    )
    .argument('<username>', 'the username, as people type it (any case)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Usernames are counted under a keyed hash (PORTCULLIS_KEY_ENCRYPTION_KEY, or the development key
of the data folder), so this needs the key the servers use (not with --server: the server uses
its own). Unknown usernames are counted and locked too, and can be unlocked the same way.
Failures counted per address are left as they are.

Example:
  $ portcullis users unlock alice`,
    )
    .action(async (username: string, options: { json?: boolean }) => {
      if (username.trim() === '') throw new CliError('the username must not be empty', 2);
      const result = await (await usersBackend(io)).unlock(username);
      const name = result.user?.username ?? username.trim();
      if (options.json) {
        return printJson(io, {
          username: name,
          user_id: result.user?.id ?? null,
          failures_cleared: result.failures,
        });
      }
      const who = result.user ? `"${name}"` : `"${name}" (no user has this name)`;
      printLines(io, [
        result.failures > 0
          ? `cleared ${result.failures} failed sign-in${result.failures === 1 ? '' : 's'} of ${who}: signing in works again`
          : `no failed sign-ins are counted for ${who}: nothing to unlock`,
      ]);
    });
}
