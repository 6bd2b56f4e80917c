import type { Command } from 'commander';
import { describeIdp, idpJson } from '../format/idps.ts';
import { printJson, printLines } from '../output.ts';
import { readStdinPassword, refuseSecretArgument } from '../read-stdin-password.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';
import { definedOf } from './idps-create.ts';
import { service } from './idps-list.ts';

interface Options {
  name?: string;
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  apiUrl?: string;
  clientId?: string;
  clientSecretStdin?: true;
  scope?: string;
  jit?: boolean;
  json?: boolean;
}

/** `portcullis idps update ID|NAME`: changes what the options name (a new secret from stdin). */
export function registerIdpsUpdate(idps: Command, io: Io): void {
  refuseSecretArgument(idps.command('update'), 'client-secret', 'client secrets')
    .description('change an identity provider (its kind never changes)')
    .argument('<idp>', 'identity provider id or name')
    .option('--name <name>', 'the new name')
    .option('--issuer <url>', 'OpenID Connect: the issuer')
    .option('--authorization-endpoint <url>', 'GitHub only')
    .option('--token-endpoint <url>', 'GitHub only')
    .option('--api-url <url>', 'GitHub only')
    .option('--client-id <id>', 'our client id at the provider')
    .option('--client-secret-stdin', 'read a new client secret from stdin')
    .option('--scope <scopes>', 'space-separated')
    .option('--jit', 'create users at their first sign-in')
    .option('--no-jit', 'link existing users only')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Examples:
  $ portcullis idps update "Acme SSO" --jit
  $ printf '%s' "$NEW_SECRET" | portcullis idps update "Acme SSO" --client-secret-stdin`,
    )
    .action(async (idOrName: string, options: Options) => {
      const clientSecret = options.clientSecretStdin
        ? await readStdinPassword(io, 'client secret')
        : undefined;
      const idp = await withDatabase(io, async (db) =>
        (await service(io, db)).update(
          idOrName,
          {
            ...definedOf(options),
            ...(options.name !== undefined ? { name: options.name } : {}),
            ...(options.clientId !== undefined ? { clientId: options.clientId } : {}),
            ...(clientSecret !== undefined ? { clientSecret } : {}),
          },
          { actor: cliActor(io) },
        ),
      );
      if (options.json) return printJson(io, idpJson(idp));
      printLines(io, [`updated identity provider "${idp.name}"`, ...describeIdp(idp)]);
    });
}
