import type { Command } from 'commander';
import { usersBackend } from '../backends/select-users.ts';
import { userJson } from '../format/users.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis users disable ID|USERNAME`: blocks sign-in and ends what was issued to the user. */
export function registerUsersDisable(users: Command, io: Io): void {
  users
    .command('disable')
    .description(
      "block sign-in and end the user's sessions, grants and refresh tokens (JWTs already issued are refused within seconds by APIs that follow the revocation feed)",
    )
    .argument('<user>', 'user id or username (any case)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis users disable alice')
    .action(async (idOrUsername: string, options: { json?: boolean }) => {
      const user = await (await usersBackend(io)).disable(idOrUsername);
      if (options.json) return printJson(io, userJson(user));
      printLines(io, [
        `disabled user "${user.username}" (${user.id}); their sessions, grants and refresh tokens are revoked`,
      ]);
    });
}
