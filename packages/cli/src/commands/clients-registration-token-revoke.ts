import type { Command } from 'commander';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

/** `portcullis clients registration-token revoke ID`: the token registers no more clients. */
export function registerRegistrationTokenRevoke(tokens: Command, io: Io): void {
  tokens
    .command('revoke')
    .description('revoke an initial access token: it registers no more clients (those it did stay)')
    .argument('<id>', 'the token id (from create or list)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExample:\n  $ portcullis clients registration-token revoke 3q2-X9aZbY7cD1eF0gH4iJ',
    )
    .action(async (id: string, options: { json?: boolean }) => {
      const { createRegistrationTokensService } = await loadServices();
      const token = await withDatabase(io, (db) =>
        createRegistrationTokensService(db).revoke(id, { actor: cliActor(io) }),
      );
      if (options.json) {
        return printJson(io, { id: token.id, revoked_at: token.revokedAt?.toISOString() ?? null });
      }
      printLines(io, [`revoked initial access token ${token.id} (it registered ${token.uses})`]);
    });
}
