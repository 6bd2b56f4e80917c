import type { Command } from 'commander';
import { userJson } from '../format/users.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/** `portcullis users show ID|USERNAME`. */
export function registerUsersShow(users: Command, io: Io): void {
  users
    .command('show')
    .description('show one user (never their password or its hash)')
    .argument('<user>', 'user id or username (any case)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis users show alice --json')
    .action(async (idOrUsername: string, options: { json?: boolean }) => {
      const { createUsersService } = await loadServices();
      const user = await withDatabase(io, (db) => createUsersService(db).show(idOrUsername));
      if (options.json) return printJson(io, userJson(user));
      const json = userJson(user);
      printLines(io, [
        `username: ${json.username}`,
        `id:       ${json.id}`,
        `email:    ${json.email ?? '-'}${json.email && !json.email_verified ? ' (unverified)' : ''}`,
        `name:     ${json.name ?? '-'}`,
        `status:   ${json.disabled ? 'disabled' : 'active'}`,
        `created:  ${json.created_at}`,
      ]);
    });
}
