import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { loadServices, loadStorage } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

/** `portcullis grants revoke`: one grant by id, or all of a user's (optionally for one client). */
export function registerGrantsRevoke(grants: Command, io: Io): void {
  grants
    .command('revoke')
    .description(
      'revoke a grant and every token issued from it (JWT access tokens live until they expire)',
    )
    .argument('[grant-id]', 'the grant to revoke')
    .option('--user <user>', 'revoke all grants of this user (username or id)')
    .option('--client <client-id>', 'with --user: only the grants to this client')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExamples:\n  $ portcullis grants revoke 1dV0...\n  $ portcullis grants revoke --user alice --client 9xk...',
    )
    .action(
      async (
        grantId: string | undefined,
        options: { user?: string; client?: string; json?: boolean },
      ) => {
        const { createGrantsService } = await loadServices();
        const { createAuditRepository, createGrantsRepository } = await loadStorage();
        if ((grantId === undefined) === (options.user === undefined)) {
          throw new CliError('give either a grant id or --user', 2);
        }
        if (options.client !== undefined && options.user === undefined) {
          throw new CliError('--client goes with --user', 2);
        }
        const revoked = await withDatabase(io, (db) =>
          db.transaction(async (trx) => {
            const service = createGrantsService(trx);
            // consent.revoked names the client and the user, so read the grants before they go.
            const audit = createAuditRepository(trx);
            const recordRevoked = (grant: {
              grantId: string;
              clientId?: string;
              accountId?: string;
            }) =>
              audit.record({
                type: 'consent.revoked',
                actor: cliActor(io),
                clientId: grant.clientId ?? null,
                subject: grant.accountId ?? null,
                details: { grant_id: grant.grantId, via: 'cli' },
              });
            if (grantId !== undefined) {
              const grant = await createGrantsRepository(trx).find(grantId);
              await service.revoke(grantId);
              await recordRevoked(grant ?? { grantId });
              return 1;
            }
            const before = await service.listForUser(options.user as string);
            const count = await service.revokeForUser(options.user as string, options.client);
            for (const grant of before) {
              if (options.client === undefined || grant.clientId === options.client) {
                await recordRevoked(grant);
              }
            }
            return count;
          }),
        );
        if (options.json) return printJson(io, { revoked });
        printLines(io, [`revoked ${revoked} grant(s)`]);
      },
    );
}
