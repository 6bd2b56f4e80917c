import type { Command } from 'commander';
import { registrationTokenJson } from '../format/registration-tokens.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines, when } from '../output.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

interface Options {
  expires?: string;
  maxUses?: string;
  scope?: string[];
  resource?: string[];
  json?: boolean;
}

/**
 * `portcullis clients registration-token create`: an initial access token for dynamic client
 * registration (RFC 7591), shown once.
 */
export function registerRegistrationTokenCreate(tokens: Command, io: Io): void {
  tokens
    .command('create')
    .description(
      'create an initial access token that lets an app register itself at /reg (PORTCULLIS_REGISTRATION=on); shown only now',
    )
    .option('--expires <duration>', 'how long it can be used (30m, 1d; 1m to 365d) or never [1d]')
    .option('--max-uses <n>', 'how many clients it can register, or unlimited [1]')
    .option(
      '--scope <scopes...>',
      'the API scopes a client registered with it may ask for (OpenID scopes always) [any of its resources]',
    )
    .option('--resource <uri...>', 'API resources (RFC 8707) the clients it registers are allowed')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Example:
  $ portcullis clients registration-token create --expires 1d --max-uses 1 \\
      --resource http://localhost:4000 --scope notes:read`,
    )
    .action(async (options: Options) => {
      const { createRegistrationTokensService } = await loadServices();
      const { token, record } = await withDatabase(io, (db) =>
        createRegistrationTokensService(db).create(
          {
            ...(options.expires !== undefined ? { expires: options.expires } : {}),
            ...(options.maxUses !== undefined ? { maxUses: options.maxUses } : {}),
            scopes: options.scope ?? [],
            resources: options.resource ?? [],
          },
          { actor: cliActor(io) },
        ),
      );
      if (options.json) {
        return printJson(io, { ...registrationTokenJson(record, 'live'), token });
      }
      printLines(io, [
        `created initial access token ${record.id}`,
        `token:    ${token}`,
        `expires:  ${record.expiresAt ? when(record.expiresAt) : 'never'}`,
        `max uses: ${record.maxUses ?? 'unlimited'}`,
        'the token is shown only now: hand it to the app that registers (Authorization: Bearer)',
      ]);
    });
}
