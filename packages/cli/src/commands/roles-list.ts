import type { Command } from 'commander';
import { roleJson } from '../format/roles.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printTable, when } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/** `portcullis roles list`. */
export function registerRolesList(roles: Command, io: Io): void {
  roles
    .command('list')
    .description('list roles and the scopes they hold, by name')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis roles list --json')
    .action(async (options: { json?: boolean }) => {
      const { createRolesService } = await loadServices();
      const list = await withDatabase(io, (db) => createRolesService(db).list());
      if (options.json) return printJson(io, list.map(roleJson));
      printTable(
        io,
        ['NAME', 'SCOPES', 'CREATED'],
        list.map((r) => [
          r.name,
          r.scopes.map((s) => `${s.resource} ${s.scope}`).join(', '),
          when(r.createdAt),
        ]),
      );
    });
}
