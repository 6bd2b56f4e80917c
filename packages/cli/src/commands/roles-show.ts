import type { Command } from 'commander';
import { describeRoleScopes, roleDetailJson } from '../format/roles.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/** `portcullis roles show NAME`: one role, its scopes and its users. */
export function registerRolesShow(roles: Command, io: Io): void {
  roles
    .command('show')
    .description('show one role, the scopes it holds and the users given it')
    .argument('<name>', 'the role name (any case)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis roles show notes-admin')
    .action(async (name: string, options: { json?: boolean }) => {
      const { createRolesService } = await loadServices();
      const detail = await withDatabase(io, (db) => createRolesService(db).show(name));
      if (options.json) return printJson(io, roleDetailJson(detail));
      const { role, users } = detail;
      printLines(io, [
        `${role.name}${role.description ? ` (${role.description})` : ''}`,
        '  scopes:',
        ...describeRoleScopes(role),
        `  users: ${users.map((u) => u.username).join(', ') || '-'}`,
        `  created: ${role.createdAt.toISOString()}`,
      ]);
    });
}
