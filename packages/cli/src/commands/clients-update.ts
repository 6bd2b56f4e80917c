import type { UpdateClientInput } from '@portcullis/auth-server';
import {
  clientJson,
  DEFAULT_REFRESH_TOKEN_TTL,
  formatDuration,
} from '@portcullis/auth-server/config';
import { type Command, Option } from 'commander';
import { clientsBackend } from '../backends/select-clients.ts';
import { type ClientKeysOptions, clientKeysInput } from '../client-keys-options.ts';
import { CliError } from '../errors.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

interface Options extends ClientKeysOptions {
  name?: string;
  grant?: string[];
  redirectUri?: string[] | false;
  webOrigin?: string[] | false;
  requireDpop?: boolean;
  requirePar?: boolean;
  requireMfa?: boolean;
  backchannelLogoutUri?: string | false;
  backchannelLogoutSessionRequired?: boolean;
  scope?: string[] | false;
  resource?: string[] | false;
  mayExchangeFor?: string[];
  exchange?: boolean;
  public?: boolean;
  confidential?: boolean;
  firstParty?: boolean;
  thirdParty?: boolean;
  homepage?: string | false;
  logoUri?: string | false;
  accessTokenTtl?: string | false;
  refreshTokenTtl?: string | false;
  json?: boolean;
}

// `--no-x` (false) clears; a value replaces; absent (undefined) keeps.
const cleared = <T>(value: T | false | undefined): T | null | undefined =>
  value === false ? null : value;

/** The service's input from the command's options; only what was given. */
function toInput(options: Options): UpdateClientInput {
  const input: UpdateClientInput = {};
  if (options.name !== undefined) input.name = options.name;
  if (options.grant !== undefined) input.grants = options.grant;
  if (options.redirectUri !== undefined) input.redirectUris = cleared(options.redirectUri);
  if (options.webOrigin !== undefined) input.webOrigins = cleared(options.webOrigin);
  if (options.requireDpop !== undefined) input.dpopBoundAccessTokens = options.requireDpop;
  if (options.requirePar !== undefined) {
    input.requirePushedAuthorizationRequests = options.requirePar;
  }
  if (options.requireMfa !== undefined) input.requireMfa = options.requireMfa;
  if (options.backchannelLogoutUri !== undefined) {
    input.backchannelLogoutUri = cleared(options.backchannelLogoutUri);
  }
  if (options.backchannelLogoutSessionRequired !== undefined) {
    input.backchannelLogoutSessionRequired = options.backchannelLogoutSessionRequired;
  }
  if (options.scope !== undefined) input.scopes = cleared(options.scope);
  if (options.resource !== undefined) input.resources = cleared(options.resource);
  if (options.mayExchangeFor !== undefined) input.mayExchangeFor = options.mayExchangeFor;
  if (options.exchange === false) input.mayExchangeFor = null;
  if (options.public || options.confidential) input.public = options.public === true;
  if (options.firstParty || options.thirdParty) input.firstParty = options.firstParty === true;
  if (options.homepage !== undefined) input.homepage = cleared(options.homepage);
  if (options.logoUri !== undefined) input.logoUri = cleared(options.logoUri);
  if (options.accessTokenTtl !== undefined) input.accessTokenTtl = cleared(options.accessTokenTtl);
  if (options.refreshTokenTtl !== undefined) {
    input.refreshTokenTtl = cleared(options.refreshTokenTtl);
  }
  return input;
}

/** `portcullis clients update ID|NAME [options]`: changes a client, validated as `create` does. */
export function registerClientsUpdate(clients: Command, io: Io): void {
  clients
    .command('update')
    .description(
      'change a client: each option replaces the stored value (lists included), --no-X clears it; checked exactly as create checks',
    )
    .argument('<client>', 'client id or name')
    .option('--name <name>', 'new display name, unique regardless of case')
    .option(
      '--grant <grant...>',
      'client_credentials, authorization_code, refresh_token, device_code',
    )
    .option('--redirect-uri <uri...>', 'the redirect URIs (replaces them all)')
    .option('--no-redirect-uri', 'remove every redirect URI')
    .option('--web-origin <origin...>', 'the web origins allowed by CORS (replaces them all)')
    .option('--no-web-origin', 'remove every web origin')
    .option('--require-dpop', 'its access tokens must be bound to a DPoP key (RFC 9449)')
    .option('--no-require-dpop', 'accept token requests without a DPoP proof again')
    .option('--require-par', 'its authorization requests must be pushed first (PAR, RFC 9126)')
    .option('--no-require-par', 'accept its plain authorization requests again')
    .option('--require-mfa', 'its users must pass a second factor to sign in to it')
    .option(
      '--no-require-mfa',
      'a password alone signs in to it again (unless the user has a factor)',
    )
    .option(
      '--backchannel-logout-uri <url>',
      'where the app receives OIDC back-channel logout tokens (https, or http on loopback)',
    )
    .option('--no-backchannel-logout-uri', 'send it no more logout tokens')
    .option(
      '--backchannel-logout-session-required',
      'its logout tokens (and ID tokens) carry the session id (sid)',
    )
    .option('--no-backchannel-logout-session-required', 'logout tokens name the user (sub) only')
    .option('--scope <scopes...>', 'the scopes the client may request (replaces them all)')
    .option('--no-scope', 'remove every scope')
    .option(
      '--resource <uri...>',
      'the resources the client may get tokens for (replaces them all)',
    )
    .option('--no-resource', 'remove every resource')
    .addOption(
      new Option(
        '--may-exchange-for <uri...>',
        "the resources it may exchange a user's access token for, acting for the user (RFC 8693 token exchange; confidential first-party clients; replaces them all)",
      ).conflicts('exchange'),
    )
    .option('--no-exchange', 'it may exchange tokens for no resource')
    .addOption(
      new Option('--public', 'make it public: its secrets are deleted').conflicts('confidential'),
    )
    .addOption(new Option('--confidential', 'make it confidential: a new secret is shown once'))
    .option(
      '--auth-method <method>',
      'client_secret_basic (a new secret is shown once) or private_key_jwt (give its keys; its secrets are deleted)',
    )
    .option(
      '--jwks-file <path>',
      'private_key_jwt: its public keys (a JWK Set), replacing the keys or JWKS URI it had (a key roll)',
    )
    .option(
      '--jwks-uri <url>',
      'private_key_jwt: where it publishes its public keys, replacing the keys or URI it had',
    )
    .addOption(
      new Option('--first-party', 'a client of your own: no consent screen').conflicts(
        'thirdParty',
      ),
    )
    .addOption(new Option('--third-party', 'users see a consent screen'))
    .option('--homepage <url>', "the app's homepage, shown on the consent page")
    .option('--no-homepage', 'remove the homepage')
    .option('--logo-uri <url>', "the app's logo, shown on the consent page")
    .option('--no-logo-uri', 'remove the logo')
    .option('--access-token-ttl <duration>', "this client's access-token lifetime (10m, 1h)")
    .option('--no-access-token-ttl', "use the resource's access-token lifetime again")
    .option('--refresh-token-ttl <duration>', "this client's refresh-token lifetime (30d)")
    .option(
      '--no-refresh-token-ttl',
      `use the default refresh-token lifetime (${formatDuration(DEFAULT_REFRESH_TOKEN_TTL)}) again`,
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Examples:
  $ portcullis clients update billing --scope "notes:read" --access-token-ttl 5m
  $ portcullis clients update web-app --redirect-uri https://app.example.com/cb --no-logo-uri
  $ portcullis clients update reports --jwks-file reports-keys-2026.json
  $ portcullis clients update orders-service --may-exchange-for https://billing.example.com`,
    )
    .action(async (idOrName: string, options: Options) => {
      const { CLIENT_FIELD_NAMES } = await loadServices();
      const input = { ...toInput(options), ...(await clientKeysInput(options)) };
      if (Object.keys(input).length === 0) {
        throw new CliError('nothing to change: give at least one option (see --help)', 2);
      }
      const updated = await (await clientsBackend(io)).update(idOrName, input);
      const changed = updated.changed.map((field) => CLIENT_FIELD_NAMES[field]);
      if (options.json) {
        return printJson(io, {
          ...clientJson(updated.client),
          changed,
          ...(updated.clientSecret ? { client_secret: updated.clientSecret } : {}),
        });
      }
      printLines(io, [
        changed.length === 0
          ? `client "${updated.client.name}" already had these settings: nothing changed`
          : `updated client "${updated.client.name}" (${updated.client.id}): ${changed.join(', ')}`,
        ...(updated.clientSecret
          ? [
              `client_secret: ${updated.clientSecret}`,
              'the secret is shown only now: store it safely',
            ]
          : []),
      ]);
    });
}
