import type { Command } from 'commander';
import { resourcesBackend } from '../backends/select-resources.ts';
import { confirm, interactive } from '../confirm.ts';
import { CliError } from '../errors.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

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
        if (!options.yes && !interactive(io)) {
          throw new CliError(
            'refusing to delete without confirmation: stdin is not a terminal, pass --yes',
            2,
          );
        }
        const resources = await resourcesBackend(io);
        if (!options.yes) {
          const { resource, clients } = await resources.show(identifier);
          const detaching =
            clients.length > 0 && options.force
              ? ` and take it off ${clients.length} client(s)`
              : '';
          const question = `Delete resource "${resource.name}" (${resource.identifier}) with its scopes${detaching}? [y/N] `;
          if (!(await confirm(io, question))) throw new CliError('not deleted: not confirmed');
        }
        const deleted = await resources.delete(identifier, { force: options.force });
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
