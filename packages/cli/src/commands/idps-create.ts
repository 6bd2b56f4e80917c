import type { Command } from 'commander';
import { describeIdp, idpJson } from '../format/idps.ts';
import { printJson, printLines } from '../output.ts';
import { readStdinPassword, refuseSecretArgument } from '../read-stdin-password.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';
import { service } from './idps-list.ts';

interface Options {
  name: string;
  kind?: 'oidc' | 'github';
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  apiUrl?: string;
  clientId: string;
  clientSecretStdin: true;
  scope?: string;
  jit?: boolean;
  json?: boolean;
}

/** `portcullis idps create`: another provider users may sign in with; its secret from stdin. */
export function registerIdpsCreate(idps: Command, io: Io): void {
  refuseSecretArgument(idps.command('create'), 'client-secret', 'client secrets')
    .description(
      'add a "Sign in with" provider: an OpenID Connect issuer, or GitHub; the client secret is read from stdin and stored encrypted',
    )
    .requiredOption('--name <name>', 'shown on the login page: "Sign in with <name>"')
    .option('--kind <kind>', 'oidc (discovered from --issuer) or github', 'oidc')
    .option('--issuer <url>', 'OpenID Connect: the issuer (https; http only on loopback)')
    .option(
      '--authorization-endpoint <url>',
      'GitHub only [https://github.com/login/oauth/authorize]',
    )
    .option('--token-endpoint <url>', 'GitHub only [https://github.com/login/oauth/access_token]')
    .option('--api-url <url>', 'GitHub only: its REST API [https://api.github.com]')
    .requiredOption('--client-id <id>', 'our client id at the provider')
    .requiredOption('--client-secret-stdin', 'read our client secret at the provider from stdin')
    .option(
      '--scope <scopes>',
      'space-separated [oidc: "openid email profile"; github: "read:user user:email"]',
    )
    .option(
      '--jit',
      'create a user at the first sign-in of an unknown account (off: link existing users only)',
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Register <issuer of this server>/idp/callback as the redirect URI at the provider.

Examples:
  $ printf '%s' "$SECRET" | portcullis idps create --name "Acme SSO" \\
      --issuer https://sso.acme.example --client-id portcullis --client-secret-stdin
  $ printf '%s' "$SECRET" | portcullis idps create --name GitHub --kind github \\
      --client-id Iv1.abc --client-secret-stdin --jit`,
    )
    .action(async (options: Options) => {
      const clientSecret = await readStdinPassword(io, 'client secret');
      const idp = await withDatabase(io, async (db) =>
        (await service(io, db)).create(
          {
            name: options.name,
            clientId: options.clientId,
            clientSecret,
            ...definedOf(options),
          },
          { actor: cliActor(io) },
        ),
      );
      if (options.json) return printJson(io, idpJson(idp));
      printLines(io, [`created identity provider "${idp.name}"`, ...describeIdp(idp)]);
    });
}

/** The options of create and update that were given, as the service's input names them. */
export function definedOf(options: Partial<Options>) {
  const { kind, issuer, authorizationEndpoint, tokenEndpoint, apiUrl, scope, jit } = options;
  return Object.fromEntries(
    Object.entries({
      kind,
      issuer,
      authorizationEndpoint,
      tokenEndpoint,
      apiUrl,
      scope,
      jit,
    }).filter(([, value]) => value !== undefined),
  );
}
