import { clientJson, secretJson } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { clientsBackend } from '../backends/select-clients.ts';
import { describeClient, printSecrets } from '../format/clients.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis clients show ID|NAME`: the client and its secrets (never their values). */
export function registerClientsShow(clients: Command, io: Io): void {
  clients
    .command('show')
    .description('show one client and its secrets (names and dates, never values)')
    .argument('<client>', 'client id or name')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis clients show billing')
    .action(async (idOrName: string, options: { json?: boolean }) => {
      const { client, secrets } = await (await clientsBackend(io)).show(idOrName);
      const now = new Date();
      if (options.json) {
        return printJson(io, {
          ...clientJson(client),
          secrets: secrets.map((s) => secretJson(s, now)),
        });
      }
      printLines(io, describeClient(client));
      if (!client.isPublic) {
        printLines(io, ['']);
        printSecrets(io, secrets, now);
      }
    });
}
