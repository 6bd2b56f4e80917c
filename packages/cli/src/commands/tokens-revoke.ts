import type { RevokeTarget } from '@portcullis/auth-server';
import type { Command } from 'commander';
import { tokensBackend } from '../backends/select-tokens.ts';
import { CliError } from '../errors.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

interface Options {
  grant?: string;
  client?: string;
  user?: string;
  json?: boolean;
}

/** `portcullis tokens revoke`: deletes grants, codes and tokens by grant, client or user. */
export function registerTokensRevoke(tokens: Command, io: Io): void {
  tokens
    .command('revoke')
    .description(
      'revoke a grant, or every grant, code and token of a client or a user (JWT access tokens are refused within seconds by APIs that follow the revocation feed)',
    )
    .option('--grant <grant-id>', 'one grant and everything issued from it')
    .option('--client <client>', 'everything issued to this client (id or name)')
    .option(
      '--user <user>',
      'everything of this user (id or username), sessions too; with --client: only for that client',
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Examples:
  $ portcullis tokens revoke --grant 9y1Cs...
  $ portcullis tokens revoke --user alice --client reporting --json`,
    )
    .action(async (options: Options) => {
      if (options.grant !== undefined && (options.client ?? options.user) !== undefined) {
        throw new CliError('--grant goes alone: not with --client or --user', 2);
      }
      if ((options.grant ?? options.client ?? options.user) === undefined) {
        throw new CliError('give --grant, --client or --user', 2);
      }
      const target: RevokeTarget =
        options.grant !== undefined
          ? { grant: options.grant }
          : {
              ...(options.client !== undefined ? { client: options.client } : {}),
              ...(options.user !== undefined ? { user: options.user } : {}),
            };
      const result = await (await tokensBackend(io)).revoke(target);
      if (options.json) return printJson(io, result);
      const counts = Object.entries(result.revoked)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([model, n]) => `${n} ${model}`);
      printLines(io, [
        `revoked ${result.total} artifact(s)${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`,
      ]);
    });
}
