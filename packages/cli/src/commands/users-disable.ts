import type { Command } from 'commander';
import { userJson } from '../format/users.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

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
      const { createUsersService } = await loadServices();
      const user = await withDatabase(io, (db) =>
        createUsersService(db).disable(idOrUsername, { actor: cliActor(io) }),
      );
      if (options.json) return printJson(io, userJson(user));
      printLines(io, [
        `disabled user "${user.username}" (${user.id}); their sessions, grants and refresh tokens are revoked`,
      ]);
    });
}
