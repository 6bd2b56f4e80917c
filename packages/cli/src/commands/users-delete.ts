import type { Command } from 'commander';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

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
      const { createUsersService } = await loadServices();
      const user = await withDatabase(io, (db) =>
        createUsersService(db).delete(idOrUsername, { actor: cliActor(io) }),
      );
      if (options.json) return printJson(io, { deleted: user.id, username: user.username });
      printLines(io, [`deleted user "${user.username}" (${user.id})`]);
    });
}
