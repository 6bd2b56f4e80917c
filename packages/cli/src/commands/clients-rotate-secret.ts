import { secretJson } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { clientsBackend } from '../backends/select-clients.ts';
import { printJson, printLines, when } from '../output.ts';
import type { Io } from '../runtime.ts';

/**
 * `portcullis clients rotate-secret ID|NAME [--keep-old 24h] [--name N]`: a new secret, shown
 * once; the old ones keep working for the overlap, then expire.
 */
export function registerClientsRotateSecret(clients: Command, io: Io): void {
  clients
    .command('rotate-secret')
    .description(
      'add a new client secret (shown only now); the old ones keep working for --keep-old, then expire',
    )
    .argument('<client>', 'client id or name')
    .option(
      '--keep-old <duration>',
      'how long the old secrets keep working (0: stop now; 30m, 24h, 7d)',
      '24h',
    )
    .option('--name <name>', 'a name for the new secret, unique for the client [secret-N]')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Examples:
  $ portcullis clients rotate-secret billing                 # old secret works 24 more hours
  $ portcullis clients rotate-secret billing --keep-old 0    # leaked: the old one stops now`,
    )
    .action(
      async (idOrName: string, options: { keepOld: string; name?: string; json?: boolean }) => {
        const rotated = await (await clientsBackend(io)).rotateSecret(idOrName, {
          keepOld: options.keepOld,
          ...(options.name !== undefined ? { name: options.name } : {}),
        });
        const now = new Date();
        if (options.json) {
          return printJson(io, {
            client_id: rotated.client.id,
            client_secret: rotated.clientSecret,
            secret: secretJson(rotated.secret, now),
            expiring: rotated.expiring.map((s) => secretJson(s, now)),
          });
        }
        printLines(io, [
          `new secret "${rotated.secret.name}" for client "${rotated.client.name}"`,
          `client_id:     ${rotated.client.id}`,
          `client_secret: ${rotated.clientSecret}`,
          'the secret is shown only now: store it safely',
          ...rotated.expiring.map((s) =>
            s.expiresAt && s.expiresAt <= now
              ? `old secret "${s.name}" stopped working`
              : `old secret "${s.name}" keeps working until ${when(s.expiresAt)}`,
          ),
        ]);
      },
    );
}
