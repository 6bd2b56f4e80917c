import type { Command } from 'commander';
import { tokensBackend } from '../backends/select-tokens.ts';
import { printJson, printTable } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis tokens list`: the operator-issued tokens still valid, never the tokens. */
export function registerTokensList(tokens: Command, io: Io): void {
  tokens
    .command('list')
    .description(
      'list the tokens issued with `tokens issue` that are still valid (newest first): grant, client, user, scope, resource, times and who issued them; never the tokens',
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
ISSUED BY is the audit trail's actor of the issue (\`-\` once the trail no longer has it).
Revoke one with \`portcullis tokens revoke --grant <GRANT ID>\`.

Example:
  $ portcullis tokens list --json`,
    )
    .action(async (options: { json?: boolean }) => {
      const list = await (await tokensBackend(io)).list();
      if (options.json) return printJson(io, list);
      printTable(
        io,
        ['GRANT ID', 'CLIENT', 'USER', 'SCOPE', 'RESOURCE', 'ISSUED', 'EXPIRES', 'ISSUED BY'],
        list.map((token) => [
          token.grant_id,
          token.client_name ?? token.client_id,
          token.sub ?? '-',
          token.scope,
          token.resource,
          token.issued_at,
          token.expires_at ?? '-',
          token.issued_by ?? '-',
        ]),
      );
    });
}
