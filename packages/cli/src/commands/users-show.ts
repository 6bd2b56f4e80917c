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
      const { createRolesService, createUsersService } = await loadServices();
      const { user, roles } = await withDatabase(io, async (db) => {
        const found = await createUsersService(db).show(idOrUsername);
        return { user: found, roles: await createRolesService(db).ofUser(found.id) };
      });
      if (options.json) return printJson(io, { ...userJson(user), roles });
      const json = userJson(user);
      printLines(io, [
        `username: ${json.username}`,
        `id:       ${json.id}`,
        `email:    ${json.email ?? '-'}${json.email && !json.email_verified ? ' (unverified)' : ''}`,
        `name:     ${json.name ?? '-'}`,
        `status:   ${json.disabled ? 'disabled' : 'active'}`,
        `roles:    ${roles.join(', ') || '-'}`,
        `created:  ${json.created_at}`,
      ]);
    });
}
