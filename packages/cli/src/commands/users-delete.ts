import type { Command } from 'commander';
import { usersBackend } from '../backends/select-users.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis users delete ID|USERNAME`: removes the user and everything issued to them. */
export function registerUsersDelete(users: Command, io: Io): void {
  users
    .command('delete')
    .description(
      'delete a user with their sessions, grants and tokens (JWTs already issued are refused within seconds by APIs that follow the revocation feed)',
    )
    .argument('<user>', 'user id or username (any case)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis users delete alice')
    .action(async (idOrUsername: string, options: { json?: boolean }) => {
      const user = await (await usersBackend(io)).delete(idOrUsername);
      if (options.json) return printJson(io, { deleted: user.id, username: user.username });
      printLines(io, [`deleted user "${user.username}" (${user.id})`]);
    });
}
