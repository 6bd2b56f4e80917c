import type { ClientSecretInfo } from '@portcullis/auth-server';
import { secretJson } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { clientsBackend } from '../backends/select-clients.ts';
import { confirm, interactive } from '../confirm.ts';
import { CliError } from '../errors.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

// What removing a secret that still works stops, in the operator's words.
const consequence = ({ lastLive }: ClientSecretInfo) =>
  lastLive
    ? "it is the client's last unexpired secret: the client will no longer be able to authenticate"
    : 'it still works: whatever uses it will be refused';

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * `portcullis clients remove-secret ID|NAME SECRET`: deletes one stored secret (a leaked one, or
 * an expired one still stored); asks first when it still works, unless `--yes`.
 */
export function registerClientsRemoveSecret(clients: Command, io: Io): void {
  clients
    .command('remove-secret')
    .description(
      "delete one of a client's secrets; running servers refuse it within a second; asks first if it still works, unless --yes",
    )
    .argument('<client>', 'client id or name')
    .argument('<secret>', 'the secret\'s name, as "clients secrets" shows it')
    .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
An expired secret is removed without asking. One that still works is removed only after a
"y" on the terminal (exit 1 when not confirmed), or with --yes (without a terminal and
without --yes: exit 2, nothing removed).

Examples:
  $ portcullis clients remove-secret billing secret-1          # expired, or asks first
  $ portcullis clients remove-secret billing secret-1 --yes --json`,
    )
    .action(async (idOrName: string, name: string, options: { yes?: boolean; json?: boolean }) => {
      const service = await clientsBackend(io);
      const removed = await (async () => {
        if (options.yes) return service.removeSecret(idOrName, { name });
        const found = await service.secret(idOrName, name);
        const label = `secret "${found.secret.name}" of client "${found.client.name}"`;
        if (found.live && !interactive(io)) {
          throw new CliError(
            `refusing to remove ${label} without confirmation: ${consequence(found)}; stdin is not a terminal, pass --yes`,
            2,
          );
        }
        if (found.live) {
          const question = `Remove ${label} (${found.client.id})? ${capitalized(consequence(found))}. [y/N] `;
          if (!(await confirm(io, question))) throw new CliError('not removed: not confirmed');
        }
        // Exactly the secret judged above (by id), never one that took its name meanwhile.
        return service.removeSecret(found.client.id, {
          name: found.secret.name,
          id: found.secret.id,
        });
      })();
      if (options.json) return printJson(io, secretJson(removed.secret, new Date()));
      printLines(io, [
        `removed secret "${removed.secret.name}" of client "${removed.client.name}" (${removed.client.id})`,
      ]);
    });
}
