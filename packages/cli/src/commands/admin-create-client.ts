import { ADMIN_RESOURCE, ADMIN_SCOPES, clientJson } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { type ClientKeysOptions, clientKeysInput } from '../client-keys-options.ts';
import { keyList } from '../format/clients.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

interface Options extends ClientKeysOptions {
  scope?: string[];
  requireDpop?: boolean;
  json?: boolean;
}

const SCOPE_NAMES = ADMIN_SCOPES.map((s) => s.name).join(', ');

/**
 * `portcullis admin create-client NAME`: registers a client of the admin API (and the API's
 * resource, the first time) and shows its secret once. The first admin client can only come
 * from here: the API needs a token of one.
 */
export function registerAdminCreateClient(admin: Command, io: Io): void {
  admin
    .command('create-client')
    .description(
      `register a client of the admin API (${ADMIN_RESOURCE}, client_credentials); a secret is shown only now`,
    )
    .argument('<name>', 'display name, unique regardless of case')
    .option(
      '--scope <scopes...>',
      `admin scopes it may request (space-separated or repeated): ${SCOPE_NAMES} [admin:read]`,
    )
    .option(
      '--require-dpop',
      'its access tokens must be bound to a DPoP key (RFC 9449): recommended, a stolen token is useless without the key',
    )
    .option(
      '--auth-method <method>',
      'client_secret_basic (a secret) or private_key_jwt (signed assertions, no secret: recommended) [client_secret_basic]',
    )
    .option(
      '--jwks-file <path>',
      'for private_key_jwt: a JSON file with its public keys (a JWK Set)',
    )
    .option('--jwks-uri <url>', 'for private_key_jwt: where it publishes its public keys')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
The server serves the admin API at /admin/v1 with PORTCULLIS_ADMIN_API=on (docs/admin-api.md).

Examples:
  $ portcullis admin create-client ci --scope admin:read admin:write --require-dpop
  $ portcullis admin create-client terraform --scope "admin:read admin:write" \\
      --auth-method private_key_jwt --jwks-file terraform-public-keys.json`,
    )
    .action(async (name: string, options: Options) => {
      const { createAdminClient } = await loadServices();
      const keys = await clientKeysInput(options);
      const scopes = (options.scope ?? ['admin:read']).flatMap((s) => s.split(' ')).filter(Boolean);
      const created = await withDatabase(io, (db) =>
        createAdminClient(
          db,
          { name, scopes, dpopBoundAccessTokens: options.requireDpop ?? false, ...keys },
          { actor: cliActor(io) },
        ),
      );
      if (options.json) {
        return printJson(io, {
          ...clientJson(created.client),
          ...(created.clientSecret ? { client_secret: created.clientSecret } : {}),
        });
      }
      printLines(io, [
        `created admin client "${created.client.name}"`,
        `client_id:     ${created.client.id}`,
        ...(created.clientSecret
          ? [
              `client_secret: ${created.clientSecret}`,
              'the secret is shown only now: store it safely',
            ]
          : [`private_key_jwt client: no secret (keys: ${keyList(created.client)})`]),
        `resource:      ${ADMIN_RESOURCE}`,
        `scope:         ${created.client.scopes.join(' ')}`,
      ]);
    });
}
