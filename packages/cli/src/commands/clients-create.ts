import {
  clientJson,
  DEFAULT_REFRESH_TOKEN_TTL,
  formatDuration,
} from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { clientsBackend } from '../backends/select-clients.ts';
import { type ClientKeysOptions, clientKeysInput } from '../client-keys-options.ts';
import { keyList } from '../format/clients.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

interface Options extends ClientKeysOptions {
  name: string;
  grant: string[];
  redirectUri?: string[];
  webOrigin?: string[];
  requireDpop?: boolean;
  requirePar?: boolean;
  requireMfa?: boolean;
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired?: boolean;
  scope?: string[];
  resource?: string[];
  public?: boolean;
  firstParty?: boolean;
  homepage?: string;
  logoUri?: string;
  accessTokenTtl?: string;
  refreshTokenTtl?: string;
  json?: boolean;
}

/** `portcullis clients create`: registers a client and shows its secret once. */
export function registerClientsCreate(clients: Command, io: Io): void {
  clients
    .command('create')
    .description('register a client; a confidential client gets a secret, shown only now')
    .requiredOption('--name <name>', 'display name, unique regardless of case')
    .requiredOption(
      '--grant <grant...>',
      'client_credentials, authorization_code, refresh_token, device_code',
    )
    .option('--redirect-uri <uri...>', 'for authorization_code: https, or http on loopback')
    .option(
      '--web-origin <origin...>',
      'for a public browser app: origins its pages call the token endpoint from (CORS), like https://app.example.com',
    )
    .option(
      '--require-dpop',
      'its access tokens must be bound to a DPoP key (RFC 9449): token requests without a DPoP proof are refused',
    )
    .option(
      '--require-par',
      'its authorization requests must be pushed first (PAR, RFC 9126): a plain authorization request is refused',
    )
    .option(
      '--require-mfa',
      'for authorization_code: its users must pass a second factor (an authenticator-app code) to sign in to it',
    )
    .option(
      '--backchannel-logout-uri <url>',
      'for authorization_code: where the app receives OIDC back-channel logout tokens (https, or http on loopback)',
    )
    .option(
      '--backchannel-logout-session-required',
      'its logout tokens (and ID tokens) carry the session id (sid)',
    )
    .option('--scope <scopes...>', 'scopes the client may request (space-separated or repeated)')
    .option(
      '--resource <uri...>',
      'API resources (RFC 8707 identifiers) the client may get tokens for',
    )
    .option('--public', 'a public client (no secret; authorization code + PKCE, or device code)')
    .option(
      '--auth-method <method>',
      'how a confidential client authenticates: client_secret_basic (a secret) or private_key_jwt (signed assertions, no secret) [client_secret_basic]',
    )
    .option(
      '--jwks-file <path>',
      'for private_key_jwt: a JSON file with its public keys (a JWK Set: ES256, PS256 or EdDSA keys, each with a kid)',
    )
    .option(
      '--jwks-uri <url>',
      'for private_key_jwt: where it publishes its public keys (https, or http on loopback)',
    )
    .option('--first-party', 'a client of your own: no consent screen')
    .option('--homepage <url>', "the app's homepage, shown on the consent page")
    .option('--logo-uri <url>', "the app's logo, shown on the consent page")
    .option(
      '--access-token-ttl <duration>',
      "this client's access-token lifetime (600, 10m, 1h; at most 1d) [the resource's]",
    )
    .option(
      '--refresh-token-ttl <duration>',
      `this client's refresh-token lifetime (12h, 30d; 1m to 365d) [${formatDuration(DEFAULT_REFRESH_TOKEN_TTL)}]`,
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Example:
  $ portcullis clients create --name billing --grant client_credentials \\
      --resource http://localhost:4000 --scope "notes:read notes:write" --first-party \\
      --access-token-ttl 5m
  $ portcullis clients create --name reports --grant client_credentials \\
      --resource http://localhost:4000 --scope notes:read --first-party \\
      --auth-method private_key_jwt --jwks-file reports-public-keys.json`,
    )
    .action(async (options: Options) => {
      const keys = await clientKeysInput(options);
      const created = await (await clientsBackend(io)).create({
        name: options.name,
        grants: options.grant,
        redirectUris: options.redirectUri ?? [],
        webOrigins: options.webOrigin ?? [],
        dpopBoundAccessTokens: options.requireDpop ?? false,
        requirePushedAuthorizationRequests: options.requirePar ?? false,
        requireMfa: options.requireMfa ?? false,
        backchannelLogoutSessionRequired: options.backchannelLogoutSessionRequired ?? false,
        ...(options.backchannelLogoutUri !== undefined
          ? { backchannelLogoutUri: options.backchannelLogoutUri }
          : {}),
        scopes: options.scope ?? [],
        resources: options.resource ?? [],
        public: options.public ?? false,
        firstParty: options.firstParty ?? false,
        ...keys,
        ...(options.homepage !== undefined ? { homepage: options.homepage } : {}),
        ...(options.logoUri !== undefined ? { logoUri: options.logoUri } : {}),
        ...(options.accessTokenTtl !== undefined ? { accessTokenTtl: options.accessTokenTtl } : {}),
        ...(options.refreshTokenTtl !== undefined
          ? { refreshTokenTtl: options.refreshTokenTtl }
          : {}),
      });
      if (options.json) {
        return printJson(io, {
          ...clientJson(created.client),
          ...(created.clientSecret ? { client_secret: created.clientSecret } : {}),
        });
      }
      printLines(io, [
        `created client "${created.client.name}"`,
        `client_id:     ${created.client.id}`,
        ...(created.clientSecret
          ? [
              `client_secret: ${created.clientSecret}`,
              'the secret is shown only now: store it safely',
            ]
          : [
              created.client.isPublic
                ? 'public client: no secret'
                : `private_key_jwt client: no secret (keys: ${keyList(created.client)})`,
            ]),
      ]);
    });
}
