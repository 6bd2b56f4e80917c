import { clientJson } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { clientsBackend } from '../backends/select-clients.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis clients enable ID|NAME`: a disabled client works again, with its grants. */
export function registerClientsEnable(clients: Command, io: Io): void {
  clients
    .command('enable')
    .description('let a disabled client work again, with the grants it had')
    .argument('<client>', 'client id or name')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis clients enable billing')
    .action(async (idOrName: string, options: { json?: boolean }) => {
      const client = await (await clientsBackend(io)).enable(idOrName);
      if (options.json) return printJson(io, clientJson(client));
      printLines(io, [`enabled client "${client.name}" (${client.id})`]);
    });
}
