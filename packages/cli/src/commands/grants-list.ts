import type { Command } from 'commander';
import { loadServices } from '../lazy.ts';
import { printJson, printTable, when } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/** `portcullis grants list --user U`: the apps a user authorised, with the scopes granted. */
export function registerGrantsList(grants: Command, io: Io): void {
  grants
    .command('list')
    .description("list a user's grants: which apps may act for them, with which scopes")
    .requiredOption('--user <user>', 'username or user id')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis grants list --user alice')
    .action(async (options: { user: string; json?: boolean }) => {
      const { createGrantsService } = await loadServices();
      const list = await withDatabase(io, (db) =>
        createGrantsService(db).listForUser(options.user),
      );
      if (options.json) {
        return printJson(
          io,
          list.map((g) => ({
            grant_id: g.grantId,
            client_id: g.clientId,
            client_name: g.clientName,
            scope: g.scopes.map((s) => s.name).join(' '),
            resources: g.resources,
            granted_at: g.grantedAt?.toISOString() ?? null,
            expires_at: g.expiresAt?.toISOString() ?? null,
          })),
        );
      }
      printTable(
        io,
        ['APP', 'GRANT ID', 'SCOPES', 'GRANTED', 'EXPIRES'],
        list.map((g) => [
          g.clientName,
          g.grantId,
          g.scopes.map((s) => s.name).join(' '),
          when(g.grantedAt),
          when(g.expiresAt),
        ]),
      );
    });
}
