import type { Command } from 'commander';
import { grantsBackend } from '../backends/select-grants.ts';
import { CliError } from '../errors.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis grants revoke`: one grant by id, or all of a user's (optionally for one client). */
export function registerGrantsRevoke(grants: Command, io: Io): void {
  grants
    .command('revoke')
    .description(
      'revoke a grant and every token issued from it (JWT access tokens are refused within seconds by APIs that follow the revocation feed)',
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
        if ((grantId === undefined) === (options.user === undefined)) {
          throw new CliError('give either a grant id or --user', 2);
        }
        if (options.client !== undefined && options.user === undefined) {
          throw new CliError('--client goes with --user', 2);
        }
        const target =
          grantId !== undefined
            ? { grant: grantId }
            : { user: options.user as string, client: options.client };
        const revoked = await (await grantsBackend(io)).revoke(target);
        if (options.json) return printJson(io, { revoked });
        printLines(io, [`revoked ${revoked} grant(s)`]);
      },
    );
}
