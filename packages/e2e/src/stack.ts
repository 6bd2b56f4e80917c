import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {
  createAuthServer,
  type Logger,
  loadServerConfig,
  type ServerConfig,
  silentLogger,
} from '@portcullis/auth-server';
import { startExampleApi } from '@portcullis/example-api';
import type { Database } from '@portcullis/storage';
import { freePort } from '@portcullis/storage/testing';
import { cliJson } from './cli.ts';

/** The whole stack on one database: the authorization server and the example API, both listening. */
export interface Stack {
  issuer: string;
  api: string;
  config: ServerConfig;
  /** Where its Prometheus metrics are served, when PORTCULLIS_METRICS_PORT turned them on. */
  metricsUrl: string | undefined;
  /** Runs `portcullis ...args --json` against the stack's database and parses the output. */
  cli<T = Record<string, unknown>>(args: string[], stdin?: string): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts the authorization server and the example API on `db` (already migrated), and registers
 * the API as a resource with scopes notes:read and notes:write through the CLI. The server logs
 * nowhere unless `options.logger` is given (a test that reads the log).
 */
export async function startStack(
  db: Database,
  databaseUrl: string,
  env: Record<string, string> = {},
  options: { logger?: Logger; host?: '127.0.0.1' | '::1' } = {},
): Promise<Stack> {
  const [asPort, apiPort] = [await freePort(), await freePort()];
  // `::1`: the authorization server on IPv6 loopback, another cookie host than 127.0.0.1 for a
  // browser (cookies ignore ports), as a second server of a test must be to keep its own.
  const issuer = options.host === '::1' ? `http://[::1]:${asPort}` : `http://127.0.0.1:${asPort}`;
  const api = `http://127.0.0.1:${apiPort}`;
  // The CLI gets the servers' key-encryption key, as an operator's would (keys rotate, users
  // unlock); a test's `env` may replace it for both.
  const keyEncryptionKey =
    env.PORTCULLIS_KEY_ENCRYPTION_KEY ?? randomBytes(32).toString('base64url');
  const serverEnv = {
    PORTCULLIS_PORT: String(asPort),
    PORTCULLIS_ISSUER: issuer,
    ...(options.host ? { PORTCULLIS_HOST: options.host } : {}),
    PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
    PORTCULLIS_KEY_ENCRYPTION_KEY: keyEncryptionKey,
    ...env,
  };
  const config = loadServerConfig(serverEnv, { mode: 'development' });

  const cli = <T>(args: string[], stdin = '') =>
    cliJson<T>(
      { DATABASE_URL: databaseUrl, PORTCULLIS_KEY_ENCRYPTION_KEY: keyEncryptionKey },
      args,
      stdin,
    );

  await cli([
    'resources',
    'create',
    '--identifier',
    api,
    '--name',
    'Notes API',
    '--scope',
    'notes:read=Read your notes',
    '--scope',
    'notes:write=Create and delete your notes',
  ]);

  const server = await createAuthServer({
    db,
    databaseUrl,
    config,
    // No data folder: the admin API's doctor (PORTCULLIS_ADMIN_API=on) finds no dev secrets.
    environment: { env: serverEnv, dataDir: path.join(os.tmpdir(), 'portcullis-e2e-no-data') },
    logger: options.logger ?? silentLogger,
  });
  await server.listen();
  const exampleApi = await startExampleApi({
    issuer,
    audience: api,
    port: apiPort,
    host: '127.0.0.1',
  });

  return {
    issuer,
    api,
    config,
    metricsUrl: server.metricsUrl,
    cli,
    async stop() {
      await exampleApi.close();
      await server.close();
    },
  };
}
