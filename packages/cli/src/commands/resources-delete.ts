import { AuthServerError } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { confirm, interactive } from '../confirm.ts';
import { CliError } from '../errors.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

/** `portcullis resources delete URI`: removes a resource, its scopes and its stored tokens. */
export function registerResourcesDelete(resources: Command, io: Io): void {
  resources
    .command('delete')
    .description(
      'delete an API resource with its scopes and stored (opaque) tokens; refuses while clients are allowed it unless --force; asks first unless --yes',
    )
    .argument('<identifier>', "the resource's identifier")
    .option('--force', 'also take the resource off every client allowed it')
    .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
JWT access tokens already issued for the resource stay valid until they expire. Without --yes it
asks on the terminal: exit 1 when not confirmed, exit 2 when stdin is not a terminal.

Examples:
  $ portcullis resources delete https://old-api.example.com
  $ portcullis resources delete https://old-api.example.com --force --yes --json`,
    )
    .action(
      async (identifier: string, options: { force?: boolean; yes?: boolean; json?: boolean }) => {
        const { createResourcesService } = await loadServices();
        if (!options.yes && !interactive(io)) {
          throw new CliError(
            'refusing to delete without confirmation: stdin is not a terminal, pass --yes',
            2,
          );
        }
        const deleted = await withDatabase(io, async (db) => {
          const service = createResourcesService(db);
          if (!options.yes) {
            const resource = await service.show(identifier);
            const clients = await service.referencingClients(identifier);
            const detaching =
              clients.length > 0 && options.force
                ? ` and take it off ${clients.length} client(s)`
                : '';
            const question = `Delete resource "${resource.name}" (${resource.identifier}) with its scopes${detaching}? [y/N] `;
            if (!(await confirm(io, question))) throw new CliError('not deleted: not confirmed');
          }
          return service
            .delete(identifier, { force: options.force, actor: cliActor(io) })
            .catch((error: unknown) => {
              // The service says what is in the way; the flag that overrides it is the CLI's.
              if (error instanceof AuthServerError && error.code === 'conflict') {
                throw new CliError(`${error.message}, or delete with --force`);
              }
              throw error;
            });
        });
        if (options.json) {
          return printJson(io, {
            deleted: deleted.resource.identifier,
            name: deleted.resource.name,
            detached_clients: deleted.detachedClients,
            revoked_tokens: deleted.revokedTokens,
          });
        }
        printLines(io, [
          `deleted resource "${deleted.resource.name}" (${deleted.resource.identifier})`,
          ...(deleted.detachedClients.length > 0
            ? [
                `  taken off ${deleted.detachedClients.length} client(s): ${deleted.detachedClients.join(', ')}`,
              ]
            : []),
          ...(deleted.revokedTokens > 0
            ? [`  revoked ${deleted.revokedTokens} stored token(s)`]
            : []),
        ]);
      },
    );
}
