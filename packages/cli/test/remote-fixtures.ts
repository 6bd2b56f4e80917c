import { randomBytes } from 'node:crypto';
import { freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { startCli } from './child-cli.ts';
import { type CliResult, cliJson, cliWith } from './helpers.ts';

/** A database no remote command may reach: the remote mode must not open one. */
export const NO_DATABASE = { url: 'postgres://nobody@127.0.0.1:1/none' };

/** A real `serve` with the admin API on, and an admin client of its own, for remote tests. */
export interface RemoteServe {
  /** The server's secrets: a local command that needs its key-encryption key takes them too. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Its issuer URL (what `--server` takes). */
  readonly server: URL;
  /** The admin client's credentials, as the remote mode reads them. */
  readonly env: NodeJS.ProcessEnv;
  /** Starts it on `database` and registers the admin client with `scope` (in `test.before`). */
  start(database: TestDatabase): Promise<void>;
  /** `portcullis --server URL ...args` with the admin client's credentials (or `env`), no database. */
  cli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** The environment the server runs with: a local command judging it (`doctor`) takes it. */
  readonly serveEnv: NodeJS.ProcessEnv;
  /** What the server logged so far (stdout and stderr). */
  log(): string;
}

/**
 * A {@link RemoteServe} for the calling test file, stopped after its tests: each command of a
 * group runs locally (the database) and remotely (through the admin API of this server, with a
 * token of a real admin client got by client credentials), and the outputs are compared.
 *
 * @example
 * const remote = remoteServe('admin:read admin:keys');
 * const database = exampleResourceDatabase(() => remote.start(database));
 */
export function remoteServe(scope = 'admin:read admin:write'): RemoteServe {
  const secrets = {
    PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
    PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
  };
  let server: URL | undefined;
  let env: NodeJS.ProcessEnv = {};
  let serveEnv: NodeJS.ProcessEnv = {};
  let stop: () => Promise<unknown> = async () => {};
  let log = () => '';
  test.after.always(() => stop());
  const started = () => {
    if (!server) throw new Error('the server is started in test.before');
    return server;
  };
  return {
    secrets,
    get server() {
      return started();
    },
    get env() {
      return env;
    },
    get serveEnv() {
      return serveEnv;
    },
    async start(database) {
      const port = await freePort();
      server = new URL(`http://localhost:${port}`);
      serveEnv = {
        ...secrets,
        DATABASE_URL: database.url,
        PORTCULLIS_PORT: String(port),
        PORTCULLIS_HOST: '127.0.0.1',
        PORTCULLIS_JANITOR_INTERVAL: 'off',
        PORTCULLIS_ADMIN_API: 'on',
      };
      const serve = startCli(['serve', '--json'], serveEnv);
      stop = () => serve.stop('SIGKILL');
      log = () => serve.stdout() + serve.stderr();
      await serve.firstLine();
      const admin = await cliJson<{ client_id: string; client_secret: string }>(database, [
        'admin',
        'create-client',
        'remote-cli',
        '--scope',
        scope,
      ]);
      env = {
        PORTCULLIS_ADMIN_CLIENT_ID: admin.client_id,
        PORTCULLIS_ADMIN_CLIENT_SECRET: admin.client_secret,
      };
    },
    log: () => log(),
    cli: (args, given) =>
      cliWith(NO_DATABASE, ['--server', started().href, ...args], { env: given ?? env }),
  };
}
