import type { Command } from 'commander';
import { usersBackend } from '../backends/select-users.ts';
import { userJson } from '../format/users.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis users show ID|USERNAME`. */
export function registerUsersShow(users: Command, io: Io): void {
  users
    .command('show')
    .description('show one user (never their password or its hash)')
    .argument('<user>', 'user id or username (any case)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis users show alice --json')
    .action(async (idOrUsername: string, options: { json?: boolean }) => {
      const { user, roles } = await (await usersBackend(io)).show(idOrUsername);
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
