import type { Command } from 'commander';
import { roleDetailJson } from '../format/roles.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

/** `portcullis roles delete NAME`: the role goes, and with it what its users got through it. */
export function registerRolesDelete(roles: Command, io: Io): void {
  roles
    .command('delete')
    .description(
      'delete a role and take it from its users (their next token or refresh drops the role-gated scopes it gave)',
    )
    .argument('<name>', 'the role name (any case)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis roles delete notes-admin')
    .action(async (name: string, options: { json?: boolean }) => {
      const { createRolesService } = await loadServices();
      const detail = await withDatabase(io, (db) =>
        createRolesService(db).delete(name, { actor: cliActor(io) }),
      );
      if (options.json) return printJson(io, roleDetailJson(detail));
      printLines(io, [
        `deleted role "${detail.role.name}" (taken from ${detail.users.length} user(s))`,
      ]);
    });
}
