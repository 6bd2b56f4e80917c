import type { UpdateResourceInput } from '@portcullis/auth-server';
import type { Command } from 'commander';
import { resourcesBackend } from '../backends/select-resources.ts';
import { CliError } from '../errors.ts';
import { describeResource, resourceDetailJson } from '../format/resources.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

interface Options {
  name?: string;
  scope?: string[];
  removeScope?: string[];
  accessTokenTtl?: string;
  format?: string;
  introspectionClient?: string[];
  clearIntrospectionClients?: boolean;
  roleGated?: string[];
  notRoleGated?: string[];
  rolesClaim?: boolean;
  json?: boolean;
}

/** `portcullis resources update URI`: changes the given settings, leaves the rest. */
export function registerResourcesUpdate(resources: Command, io: Io): void {
  resources
    .command('update')
    .description("change an API resource's name, token settings or scopes")
    .argument('<identifier>', "the resource's identifier (it cannot change: it is the audience)")
    .option('--name <name>', 'new display name')
    .option('--scope <name=description...>', 'add a scope, or replace its description')
    .option(
      '--remove-scope <name...>',
      'delete a scope (clients that got it only from this resource lose it)',
    )
    .option('--access-token-ttl <duration>', 'access-token lifetime, like 15m; at most 1d')
    .option('--format <format>', 'access-token format: jwt or opaque')
    .option(
      '--introspection-client <client-id...>',
      'replace the clients allowed to introspect tokens for this resource',
    )
    .option('--clear-introspection-clients', 'no client but the token’s own may introspect')
    .option(
      '--role-gated <scope...>',
      'a user gets these scopes only through a role (roles create); dropped otherwise',
    )
    .option('--not-role-gated <scope...>', 'any allowed client may get these scopes again')
    .option('--roles-claim', "users' access tokens for this resource carry a roles claim")
    .option('--no-roles-claim', 'no roles claim in its access tokens')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Tokens already issued keep the lifetime and format they were issued with. Running servers use
the new settings within a second.

Example:
  $ portcullis resources update https://api.example.com --access-token-ttl 5m \\
      --scope "notes:admin=Manage everyone's notes" --remove-scope notes:legacy
  $ portcullis resources update https://api.example.com --role-gated notes:admin --roles-claim`,
    )
    .action(async (identifier: string, options: Options) => {
      const { parseScopeDefinition } = await loadServices();
      if (options.introspectionClient && options.clearIntrospectionClients) {
        throw new CliError(
          'give --introspection-client or --clear-introspection-clients, not both',
          2,
        );
      }
      const input: UpdateResourceInput = {
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.accessTokenTtl !== undefined ? { accessTokenTtl: options.accessTokenTtl } : {}),
        ...(options.format !== undefined ? { accessTokenFormat: options.format } : {}),
        ...(options.introspectionClient !== undefined
          ? { introspectionClients: options.introspectionClient }
          : {}),
        ...(options.clearIntrospectionClients ? { introspectionClients: [] } : {}),
        ...(options.scope !== undefined
          ? { putScopes: options.scope.map(parseScopeDefinition) }
          : {}),
        ...(options.removeScope !== undefined ? { removeScopes: options.removeScope } : {}),
        ...(options.roleGated !== undefined ? { gateScopes: options.roleGated } : {}),
        ...(options.notRoleGated !== undefined ? { ungateScopes: options.notRoleGated } : {}),
        ...(options.rolesClaim !== undefined ? { rolesClaim: options.rolesClaim } : {}),
      };
      if (Object.keys(input).length === 0) {
        throw new CliError('nothing to update: give at least one option (see --help)', 2);
      }
      const { resource, changed } = await (await resourcesBackend(io)).update(identifier, input);
      if (options.json) return printJson(io, { ...resourceDetailJson(resource), changed });
      printLines(io, [
        changed.length === 0
          ? `resource "${resource.name}" unchanged: it already has these settings`
          : `updated resource "${resource.name}" (${resource.identifier}): ${changed.join(', ')}`,
        ...describeResource(resource),
      ]);
    });
}
