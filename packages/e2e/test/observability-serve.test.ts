import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { type Stack, startStack } from '../src/index.ts';

// The real `portcullis serve` process: its stderr is the JSON log, its metrics listener answers.

const bin = fileURLToPath(new URL('../../cli/src/bin.ts', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: log lines are read field by field
type LogLine = Record<string, any>;

let database: TestDatabase;
let stack: Stack;
test.before(async () => {
  database = await createTestDatabase();
  // Registers the example API as a resource; the stack's own server is not used.
  stack = await startStack(database.db, database.url);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

/** Starts `serve --json` and resolves once it listens; `stop` sends SIGTERM and waits. */
async function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, 'serve', '--json'], {
    env: { PATH: process.env.PATH, DATABASE_URL: database.url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += String(chunk);
  });
  process.once('exit', () => child.kill('SIGKILL'));
  const exited = once(child, 'exit');
  while (!stdout.includes('\n')) {
    await Promise.race([once(child.stdout, 'data'), exited]);
    if (child.exitCode !== null) throw new Error(`serve exited: ${stderr}`);
  }
  return {
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
  };
}

test('serve logs JSON lines on stderr, one access line per request, and serves metrics on their own port', async (t) => {
  const registered = await stack.cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    'Metered Service',
    '--grant',
    'client_credentials',
    '--resource',
    stack.api,
  ]);
  const [port, metricsPort] = [await freePort(), await freePort()];
  const server = await serve({
    PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
    PORTCULLIS_KEY_ENCRYPTION_KEY: stack.config.keyEncryptionKey.toString('base64url'),
    PORTCULLIS_PORT: String(port),
    PORTCULLIS_HOST: '127.0.0.1',
    PORTCULLIS_ISSUER: `http://127.0.0.1:${port}`,
    PORTCULLIS_METRICS_PORT: String(metricsPort),
    PORTCULLIS_JANITOR_INTERVAL: 'off',
  });
  t.teardown(() => server.stop());

  const token = (secret: string) =>
    fetch(`http://127.0.0.1:${port}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${registered.client_id}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
  const issued = await token(registered.client_secret);
  t.is(issued.status, 200);
  const refused = await token('not-the-secret-at-all');
  t.is(refused.status, 401);

  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  t.regex(
    metrics,
    new RegExp(
      `portcullis_tokens_issued_total\\{grant_type="client_credentials",client_id="${registered.client_id}"\\} 1\\n`,
    ),
  );
  t.regex(metrics, /portcullis_oauth_errors_total\{route="token",error="invalid_client"\} 1\n/);
  t.regex(metrics, /portcullis_db_pool_connections\{state="used"\} \d+/);
  t.regex(metrics, /portcullis_signing_key_age_seconds\{kid="[^"]+",alg="ES256",state="active"\}/);
  t.is((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404, 'not on the public port');

  t.is(await server.stop(), 0);
  const stderr = server.stderr();
  t.false(stderr.includes(registered.client_secret));
  // Every line is JSON but the stop notice the CLI prints for people.
  const lines = stderr
    .split('\n')
    .filter((line) => line !== '' && !/^received SIGTERM/.test(line))
    .map((line) => JSON.parse(line) as LogLine);
  t.true(
    lines.some(
      (l) =>
        l.message === 'metrics listening' && l.url === `http://127.0.0.1:${metricsPort}/metrics`,
    ),
  );
  const access = lines.filter((l) => l.message === 'request');
  t.deepEqual(
    access.map((l) => [l.method, l.route, l.status, l.request_id]),
    [
      ['POST', 'token', 200, issued.headers.get('x-request-id')],
      ['POST', 'token', 401, refused.headers.get('x-request-id')],
      ['GET', 'unmatched', 404, access[2]?.request_id],
    ],
  );
  t.is(access[0]?.client_id, registered.client_id);
  for (const line of lines) {
    t.regex(line.time, /^\d{4}-\d\d-\d\dT/);
    t.true(['info', 'warn', 'error'].includes(line.level));
  }
});
