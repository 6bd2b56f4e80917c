import type { Command } from 'commander';
import { tokensBackend } from '../backends/select-tokens.ts';
import { loadAuthServer } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

interface Options {
  client: string;
  user?: string;
  scope: string[];
  resource: string;
  ttl: string;
  json?: boolean;
}

/** `portcullis tokens issue`: an opaque, introspectable, revocable API token, printed once. */
export function registerTokensIssue(tokens: Command, io: Io): void {
  tokens
    .command('issue')
    .description(
      'issue a long-lived opaque API token for a client (and optionally a user); shown once',
    )
    .requiredOption('--client <client>', 'client id or name the token is issued to')
    .option('--user <user>', 'user id or username the token acts for (default: the client itself)')
    .requiredOption('--scope <scopes...>', 'scopes (space-separated or repeated) of the resource')
    .requiredOption('--resource <uri>', 'the resource (audience) the token is for')
    .option('--ttl <duration>', 'lifetime, like 30d or 12h; at most 365d', '90d')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
The token is opaque: the API accepts it through introspection (its own client must be one of
the resource's introspection clients, or the token's client), as the example API that
\`portcullis dev\` starts does. It is stored only on the server; copy it now. Revoke it with
\`portcullis tokens revoke --grant <grant_id>\`.

Example:
  $ portcullis tokens issue --client reporting --user alice --scope notes:read \\
      --resource https://api.example.com --ttl 90d`,
    )
    .action(async (options: Options) => {
      const issued = await (await tokensBackend(io)).issue({
        client: options.client,
        ...(options.user !== undefined ? { user: options.user } : {}),
        scopes: options.scope,
        resource: options.resource,
        ttl: options.ttl,
      });
      if (options.json) {
        const { issuedTokenJson } = await loadAuthServer();
        return printJson(io, issuedTokenJson(issued));
      }
      printLines(io, [
        issued.accessToken,
        '',
        `issued to client ${issued.clientId}${issued.subject ? ` for user ${issued.subject}` : ''}`,
        `scope ${issued.scope} on ${issued.resource}, expires ${issued.expiresAt.toISOString()}`,
        `grant ${issued.grantId} (revoke: portcullis tokens revoke --grant ${issued.grantId})`,
        'This is the only time the token is shown: store it now.',
      ]);
    });
}
