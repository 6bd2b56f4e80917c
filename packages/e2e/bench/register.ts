// What the benchmark and the load test register on the stack they load, through the CLI.
import type { Stack } from '../src/index.ts';

/** The clients and user {@link registerBenchClients} registered. */
export interface BenchClients {
  /** HTTP Basic credentials (base64) of the first-party client-credentials client. */
  basic: string;
  /** The third-party authorization-code app (with refresh tokens) and its secret. */
  appId: string;
  appSecret: string;
  /** The user who signs in to the app, and the app's redirect URI. */
  username: string;
  password: string;
  redirectUri: string;
}

/**
 * Registers, on the API resource `api`: a first-party client-credentials client with
 * notes:read and notes:write, a user, and a third-party authorization-code app that may get
 * refresh tokens (offline_access), asking for consent every time. `suffix` makes the names
 * unique on a database that already has them.
 *
 * @example
 * const clients = await registerBenchClients(stack.cli, stack.api);
 * await fetch(`${stack.issuer}/token`, { headers: { authorization: `Basic ${clients.basic}` } });
 */
export async function registerBenchClients(
  cli: Stack['cli'],
  api: string,
  suffix = '',
): Promise<BenchClients> {
  const client = await cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    `bench${suffix}`,
    '--grant',
    'client_credentials',
    '--resource',
    api,
    '--scope',
    'notes:read notes:write',
    '--first-party',
  ]);
  const username = `bench-user${suffix}`;
  const password = 'bench-user-password';
  await cli(['users', 'create', '--username', username, '--password-stdin'], `${password}\n`);
  const redirectUri = 'http://127.0.0.1:9/callback';
  const app = await cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    `bench-app${suffix}`,
    '--grant',
    'authorization_code',
    'refresh_token',
    '--redirect-uri',
    redirectUri,
    '--resource',
    api,
    '--scope',
    'openid offline_access notes:read',
  ]);
  return {
    basic: Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64'),
    appId: app.client_id,
    appSecret: app.client_secret,
    username,
    password,
    redirectUri,
  };
}
