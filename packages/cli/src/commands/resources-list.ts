import { formatDuration } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { resourcesBackend } from '../backends/select-resources.ts';
import { resourceJson } from '../format/resources.ts';
import { printJson, printTable } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis resources list`. */
export function registerResourcesList(resources: Command, io: Io): void {
  resources
    .command('list')
    .description('list API resources, their token settings and scopes')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis resources list')
    .action(async (options: { json?: boolean }) => {
      const list = await (await resourcesBackend(io)).list();
      if (options.json) return printJson(io, list.map(resourceJson));
      printTable(
        io,
        ['IDENTIFIER', 'NAME', 'FORMAT', 'TOKEN TTL', 'SCOPES'],
        list.map((r) => [
          r.identifier,
          r.name,
          r.accessTokenFormat,
          formatDuration(r.accessTokenTtl),
          r.scopes.map((s) => s.name).join(' '),
        ]),
      );
    });
}
