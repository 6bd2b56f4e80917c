import type { Command } from 'commander';
import { clientJson } from '../format/clients.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

/** `portcullis clients enable ID|NAME`: a disabled client works again, with its grants. */
export function registerClientsEnable(clients: Command, io: Io): void {
  clients
    .command('enable')
    .description('let a disabled client work again, with the grants it had')
    .argument('<client>', 'client id or name')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis clients enable billing')
    .action(async (idOrName: string, options: { json?: boolean }) => {
      const { createClientsService } = await loadServices();
      const client = await withDatabase(io, (db) =>
        createClientsService(db).enable(idOrName, { actor: cliActor(io) }),
      );
      if (options.json) return printJson(io, clientJson(client));
      printLines(io, [`enabled client "${client.name}" (${client.id})`]);
    });
}
