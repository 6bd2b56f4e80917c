import { DEFAULT_ACCESS_TOKEN_TTL, formatDuration } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { resourcesBackend } from '../backends/select-resources.ts';
import { describeResource, resourceDetailJson } from '../format/resources.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

interface Options {
  identifier: string;
  name: string;
  scope?: string[];
  accessTokenTtl?: string;
  format?: string;
  introspectionClient?: string[];
  roleGated?: string[];
  rolesClaim?: boolean;
  json?: boolean;
}

/** `portcullis resources create`: registers an API, its scopes and its token settings. */
export function registerResourcesCreate(resources: Command, io: Io): void {
  resources
    .command('create')
    .description('register an API resource (RFC 8707) and its scopes')
    .requiredOption(
      '--identifier <uri>',
      "the API's resource identifier, used as the token audience",
    )
    .requiredOption('--name <name>', 'display name')
    .option('--scope <name=description...>', 'a scope and the description shown on consent pages')
    .option(
      '--access-token-ttl <duration>',
      `access-token lifetime, like 600, 15m or 1h; at most 1d (default ${formatDuration(DEFAULT_ACCESS_TOKEN_TTL)})`,
    )
    .option(
      '--format <format>',
      'access-token format: jwt (verified by the API itself) or opaque (stored, revocable, introspected) (default jwt)',
    )
    .option(
      '--introspection-client <client-id...>',
      "the API's own client(s), allowed to introspect tokens issued for it",
    )
    .option('--role-gated <scope...>', 'of its scopes, those a user gets only through a role')
    .option('--roles-claim', "users' access tokens carry a roles claim")
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Example:
  $ portcullis resources create --identifier https://api.example.com --name "Example API" \\
      --scope "notes:read=Read your notes" --scope "notes:write=Create and delete your notes" \\
      --access-token-ttl 15m`,
    )
    .action(async (options: Options) => {
      const { parseScopeDefinition } = await loadServices();
      const scopes = (options.scope ?? []).map(parseScopeDefinition);
      const resource = await (await resourcesBackend(io)).create({
        identifier: options.identifier,
        name: options.name,
        scopes,
        ...(options.accessTokenTtl !== undefined ? { accessTokenTtl: options.accessTokenTtl } : {}),
        ...(options.format !== undefined ? { accessTokenFormat: options.format } : {}),
        ...(options.introspectionClient !== undefined
          ? { introspectionClients: options.introspectionClient }
          : {}),
        ...(options.roleGated !== undefined ? { roleGatedScopes: options.roleGated } : {}),
        ...(options.rolesClaim ? { rolesClaim: true } : {}),
      });
      if (options.json) return printJson(io, resourceDetailJson(resource));
      printLines(io, [
        `created resource "${resource.name}" (${resource.identifier})`,
        ...describeResource(resource),
      ]);
    });
}
