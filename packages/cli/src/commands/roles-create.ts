import type { Command } from 'commander';
import { describeRoleScopes, roleJson } from '../format/roles.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

interface Options {
  scope: string[];
  description?: string;
  json?: boolean;
}

/** `portcullis roles create NAME --scope "URI scope..."`. */
export function registerRolesCreate(roles: Command, io: Io): void {
  roles
    .command('create')
    .description('create a role: scopes of resources that users given it may get')
    .argument('<name>', 'the role name (letters, digits, ".", "_", "-", ":"); unique in any case')
    .requiredOption(
      '--scope <"URI scope...">',
      "a resource's identifier and scopes of it the role holds (repeat for several resources)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--description <text>', 'what the role is for')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
A role-gated scope (resources update --role-gated) reaches a user's tokens only through a role
that holds it. Give the role with "users add-role".

Example:
  $ portcullis roles create notes-admin --scope "https://api.example.com notes:admin"`,
    )
    .action(async (name: string, options: Options) => {
      const { createRolesService } = await loadServices();
      const role = await withDatabase(io, (db) =>
        createRolesService(db).create(
          { name, description: options.description, scopes: options.scope },
          { actor: cliActor(io) },
        ),
      );
      if (options.json) return printJson(io, roleJson(role));
      printLines(io, [`created role "${role.name}"`, '  scopes:', ...describeRoleScopes(role)]);
    });
}
