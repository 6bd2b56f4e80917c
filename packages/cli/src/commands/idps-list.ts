import type { Database } from '@portcullis/storage';
import type { Command } from 'commander';
import { idpJson } from '../format/idps.ts';
import { readKeyEncryptionKey } from '../key-encryption-key.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printTable } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/** `portcullis idps list`. */
export function registerIdpsList(idps: Command, io: Io): void {
  idps
    .command('list')
    .description('list identity providers, by name (never their secrets)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis idps list --json')
    .action(async (options: { json?: boolean }) => {
      const list = await withDatabase(io, async (db) => (await service(io, db)).list());
      if (options.json)
        return printJson(
          io,
          list.map((idp) => idpJson(idp)),
        );
      printTable(
        io,
        ['NAME', 'ID', 'KIND', 'ISSUER', 'NEW USERS'],
        list.map((idp) => [
          idp.name,
          idp.id,
          idp.kind,
          idp.issuer ?? idp.authorizationEndpoint ?? '-',
          idp.jit ? 'created' : 'linked only',
        ]),
      );
    });
}

/** The identity providers service with the servers' key-encryption key (client secrets). */
export async function service(io: Io, db: Database) {
  const { createIdentityProvidersService } = await loadServices();
  const kek = await readKeyEncryptionKey(io, 'client secrets are stored encrypted under it');
  return createIdentityProvidersService(db, kek);
}
