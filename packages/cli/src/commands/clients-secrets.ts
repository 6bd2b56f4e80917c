import { secretJson } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { clientsBackend } from '../backends/select-clients.ts';
import { printSecrets } from '../format/clients.ts';
import { printJson } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis clients secrets ID|NAME`: the client's secrets by name and dates, never values. */
export function registerClientsSecrets(clients: Command, io: Io): void {
  clients
    .command('secrets')
    .description("list a client's secrets: name, created, expires, last used (never values)")
    .argument('<client>', 'client id or name')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis clients secrets billing')
    .action(async (idOrName: string, options: { json?: boolean }) => {
      const { secrets } = await (await clientsBackend(io)).show(idOrName);
      const now = new Date();
      if (options.json)
        return printJson(
          io,
          secrets.map((s) => secretJson(s, now)),
        );
      printSecrets(io, secrets, now);
    });
}
