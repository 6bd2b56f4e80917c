import { createResourcesService, parseScopeDefinition } from '@portcullis/auth-server';
import type { Command } from 'commander';
import { printJson, printLines } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';
import { resourceJson } from './resources-list.ts';

interface Options {
  identifier: string;
  name: string;
  scope?: string[];
  accessTokenTtl?: string;
  json?: boolean;
}

/** `portcullis resources create`: registers an API and its scopes. */
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
    .option('--access-token-ttl <seconds>', 'access-token lifetime in seconds (default 600)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Example:
  $ portcullis resources create --identifier https://api.example.com --name "Example API" \\
      --scope "notes:read=Read your notes" --scope "notes:write=Create and delete your notes"`,
    )
    .action(async (options: Options) => {
      const scopes = (options.scope ?? []).map(parseScopeDefinition);
      const ttl = options.accessTokenTtl;
      const resource = await withDatabase(io, (db) =>
        createResourcesService(db).create({
          identifier: options.identifier,
          name: options.name,
          scopes,
          ...(ttl !== undefined
            ? { accessTokenTtl: /^\d+$/.test(ttl) ? Number(ttl) : Number.NaN }
            : {}),
        }),
      );
      if (options.json) return printJson(io, resourceJson(resource));
      printLines(io, [
        `created resource "${resource.name}" (${resource.identifier})`,
        ...resource.scopes.map((s) => `  ${s.name}: ${s.description}`),
      ]);
    });
}
