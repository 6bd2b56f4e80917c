import type { Command } from 'commander';
import { grantsBackend } from '../backends/select-grants.ts';
import { printJson, printTable, when } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis grants list --user U`: the apps a user authorised, with the scopes granted. */
export function registerGrantsList(grants: Command, io: Io): void {
  grants
    .command('list')
    .description("list a user's grants: which apps may act for them, with which scopes")
    .requiredOption('--user <user>', 'username or user id')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis grants list --user alice')
    .action(async (options: { user: string; json?: boolean }) => {
      const list = await (await grantsBackend(io)).list(options.user);
      if (options.json) return printJson(io, list);
      printTable(
        io,
        ['APP', 'GRANT ID', 'SCOPES', 'GRANTED', 'EXPIRES'],
        list.map((g) => [
          g.client_name,
          g.grant_id,
          g.scope,
          when(g.granted_at === null ? null : new Date(g.granted_at)),
          when(g.expires_at === null ? null : new Date(g.expires_at)),
        ]),
      );
    });
}
