import { clientJson } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { clientsBackend } from '../backends/select-clients.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis clients disable ID|NAME`: servers refuse the client until it is enabled again. */
export function registerClientsDisable(clients: Command, io: Io): void {
  clients
    .command('disable')
    .description(
      'refuse every request of a client (authentication, tokens, refresh, introspection) until enabled again; its grants are kept (JWTs already issued are refused within seconds by APIs that follow the revocation feed)',
    )
    .argument('<client>', 'client id or name')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis clients disable billing')
    .action(async (idOrName: string, options: { json?: boolean }) => {
      const client = await (await clientsBackend(io)).disable(idOrName);
      if (options.json) return printJson(io, clientJson(client));
      printLines(io, [
        `disabled client "${client.name}" (${client.id}): running servers refuse it within a second`,
      ]);
    });
}
