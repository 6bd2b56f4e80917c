import { createClientsService } from '@portcullis/auth-server';
import type { Command } from 'commander';
import { printJson, printLines } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/** `portcullis clients delete ID|NAME`: removes the client and everything issued to it. */
export function registerClientsDelete(clients: Command, io: Io): void {
  clients
    .command('delete')
    .description(
      'delete a client with its secrets, grants and tokens (JWTs already issued live until they expire)',
    )
    .argument('<client>', 'client id or name')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis clients delete billing')
    .action(async (idOrName: string, options: { json?: boolean }) => {
      const client = await withDatabase(io, (db) => createClientsService(db).delete(idOrName));
      if (options.json) return printJson(io, { deleted: client.id, name: client.name });
      printLines(io, [`deleted client "${client.name}" (${client.id})`]);
    });
}
