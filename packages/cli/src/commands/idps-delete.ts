import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { printJson, printLines } from '../output.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';
import { service } from './idps-list.ts';

/** `portcullis idps delete ID|NAME --yes`: removes the provider and its links. */
export function registerIdpsDelete(idps: Command, io: Io): void {
  idps
    .command('delete')
    .description(
      'delete an identity provider and its links (the linked users stay, with their passwords)',
    )
    .argument('<idp>', 'identity provider id or name')
    .option('--yes', 'confirm the deletion (required)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis idps delete "Acme SSO" --yes')
    .action(async (idOrName: string, options: { yes?: boolean; json?: boolean }) => {
      if (!options.yes) {
        throw new CliError(
          'refusing to delete without --yes: its users can no longer sign in through it',
          2,
        );
      }
      const idp = await withDatabase(io, async (db) =>
        (await service(io, db)).delete(idOrName, { actor: cliActor(io) }),
      );
      if (options.json) return printJson(io, { deleted: idp.id, name: idp.name });
      printLines(io, [`deleted identity provider "${idp.name}" (${idp.id}) and its links`]);
    });
}
