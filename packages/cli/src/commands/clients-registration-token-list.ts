import type { Command } from 'commander';
import { registrationTokenJson } from '../format/registration-tokens.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printTable, styled, when } from '../output.ts';
import { type Io, withDatabase } from '../runtime.ts';

/** `portcullis clients registration-token list`: every initial access token and its state. */
export function registerRegistrationTokenList(tokens: Command, io: Io): void {
  tokens
    .command('list')
    .description('list initial access tokens: status, uses, expiry and policy (never values)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis clients registration-token list')
    .action(async (options: { json?: boolean }) => {
      const { createRegistrationTokensService, registrationTokenStatus } = await loadServices();
      const list = await withDatabase(io, (db) => createRegistrationTokensService(db).list());
      const now = new Date();
      const rows = list.map((token) => ({ token, status: registrationTokenStatus(token, now) }));
      if (options.json) {
        return printJson(
          io,
          rows.map(({ token, status }) => registrationTokenJson(token, status)),
        );
      }
      printTable(
        io,
        ['ID', 'STATUS', 'USES', 'EXPIRES', 'SCOPE', 'RESOURCES'],
        rows.map(({ token, status }) => [
          token.id,
          status === 'live' ? status : styled(status, 'red'),
          `${token.uses}/${token.maxUses ?? 'unlimited'}`,
          token.expiresAt ? when(token.expiresAt) : 'never',
          token.scopes.join(' ') || 'any',
          token.resources.join(',') || '-',
        ]),
      );
    });
}
