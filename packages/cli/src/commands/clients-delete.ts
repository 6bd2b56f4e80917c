import type { Command } from 'commander';
import { clientsBackend } from '../backends/select-clients.ts';
import { confirm, interactive } from '../confirm.ts';
import { CliError } from '../errors.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis clients delete ID|NAME`: removes the client and everything issued to it. */
export function registerClientsDelete(clients: Command, io: Io): void {
  clients
    .command('delete')
    .description(
      'delete a client with its secrets, grants and tokens (JWTs already issued are refused within seconds by APIs that follow the revocation feed); asks first unless --yes',
    )
    .argument('<client>', 'client id or name')
    .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Without --yes it asks on the terminal: exit 1 when not confirmed, exit 2 when stdin is not a
terminal (a script must pass --yes).

Examples:
  $ portcullis clients delete billing
  $ portcullis clients delete billing --yes --json`,
    )
    .action(async (idOrName: string, options: { yes?: boolean; json?: boolean }) => {
      if (!options.yes && !interactive(io)) {
        throw new CliError(
          'refusing to delete without confirmation: stdin is not a terminal, pass --yes',
          2,
        );
      }
      const service = await clientsBackend(io);
      const client = await (async () => {
        if (options.yes) return service.delete(idOrName);
        // Ask about one client, then delete exactly that one (by id, not by a name that could
        // meanwhile belong to another).
        const { client: found } = await service.show(idOrName);
        const question = `Delete client "${found.name}" (${found.id}) with its secrets, grants and tokens? [y/N] `;
        if (!(await confirm(io, question))) throw new CliError('not deleted: not confirmed');
        return service.delete(found.id);
      })();
      if (options.json) return printJson(io, { deleted: client.id, name: client.name });
      printLines(io, [`deleted client "${client.name}" (${client.id}) with its grants and tokens`]);
    });
}
