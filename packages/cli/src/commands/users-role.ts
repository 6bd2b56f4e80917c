import type { Command } from 'commander';
import { usersBackend } from '../backends/select-users.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/**
 * `portcullis users add-role USER ROLE` and `users remove-role USER ROLE`: one file, as the two
 * are one change in two directions.
 */
export function registerUsersRole(users: Command, io: Io): void {
  for (const add of [true, false]) {
    users
      .command(add ? 'add-role' : 'remove-role')
      .description(
        add
          ? 'give a user a role: its role-gated scopes reach their next tokens'
          : 'take a role from a user: their next token or refresh drops the role-gated scopes it gave',
      )
      .argument('<user>', 'user id or username (any case)')
      .argument('<role>', 'the role name (any case)')
      .option('--json', 'machine-readable output')
      .addHelpText(
        'after',
        `\nExample:\n  $ portcullis users ${add ? 'add-role' : 'remove-role'} alice notes-admin`,
      )
      .action(async (user: string, role: string, options: { json?: boolean }) => {
        const change = await (await usersBackend(io)).role(add, user, role);
        if (options.json) {
          return printJson(io, {
            user: change.user.id,
            username: change.user.username,
            role: change.role,
            changed: change.changed,
          });
        }
        const { username } = change.user;
        printLines(io, [
          change.changed
            ? `${add ? 'gave' : 'took'} role "${change.role}" ${add ? 'to' : 'from'} user "${username}"`
            : `user "${username}" ${add ? 'already has' : 'does not have'} role "${change.role}": nothing changed`,
        ]);
      });
  }
}
