import type { Command } from 'commander';
import { describeIdp, idpJson } from '../format/idps.ts';
import { printJson, printLines } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';
import { service } from './idps-list.ts';

/** `portcullis idps show ID|NAME`. */
export function registerIdpsShow(idps: Command, io: Io): void {
  idps
    .command('show')
    .description(
      'show one identity provider and how many users are linked to it (never its secret)',
    )
    .argument('<idp>', 'identity provider id or name (any case)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis idps show "Acme SSO" --json')
    .action(async (idOrName: string, options: { json?: boolean }) => {
      const idp = await withDatabase(io, async (db) => (await service(io, db)).show(idOrName));
      if (options.json) return printJson(io, idpJson(idp));
      printLines(io, describeIdp(idp));
    });
}
