import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';

// `portcullis serve` runs the janitor on PORTCULLIS_JANITOR_INTERVAL, through the real binary.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'packages/cli/src/bin.ts');

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

// One set for the file: the first server stores its signing keys under this encryption key.
const secrets = {
  PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
  PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
};

function start(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [bin, 'serve'], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
  });
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    exited,
    stderr: () => stderr,
    /** Resolves once stderr matches `pattern` (or the process exits). */
    until: (pattern: RegExp) =>
      Promise.race([
        new Promise<void>((resolve) => {
          if (pattern.test(stderr)) resolve();
          else waiters.push({ pattern, resolve });
        }),
        exited.then(() => undefined),
      ]),
  };
}

const stop = async (server: { child: ChildProcess; exited: Promise<number | null> }) => {
  if (server.child.exitCode === null) server.child.kill('SIGTERM');
  return server.exited;
};

test.serial(
  'serve purges expired rows right after start, then stops cleanly on SIGTERM',
  async (t) => {
    const { db } = database;
    await db('oidc_artifacts').insert([
      {
        model: 'AccessToken',
        id: 'expired',
        payload: '{}',
        expires_at: db.raw(`now() - interval '1 minute'`),
      },
      {
        model: 'Session',
        id: 'live',
        payload: '{}',
        expires_at: db.raw(`now() + interval '1 day'`),
      },
    ]);
    const server = start({
      ...secrets,
      DATABASE_URL: database.url,
      PORTCULLIS_PORT: String(await freePort()),
      PORTCULLIS_ISSUER: 'http://127.0.0.1',
      PORTCULLIS_HOST: '127.0.0.1',
      PORTCULLIS_JANITOR_INTERVAL: '1h',
    });
    t.teardown(() => stop(server));
    await server.until(/janitor purged artifacts/);
    const line = server
      .stderr()
      .split('\n')
      .find((l) => l.includes('janitor purged artifacts'));
    t.like(JSON.parse(line ?? '{}'), { level: 'info', expired: { AccessToken: 1 } });
    t.deepEqual(await db('oidc_artifacts').pluck('id'), ['live']);
    t.is(await stop(server), 0);
    t.regex(server.stderr(), /received SIGTERM, stopping/);
  },
);

test.serial('PORTCULLIS_JANITOR_INTERVAL=off: serve starts without a janitor', async (t) => {
  const { db } = database;
  await db('oidc_artifacts').insert({
    model: 'AccessToken',
    id: 'kept',
    payload: '{}',
    expires_at: db.raw(`now() - interval '1 minute'`),
  });
  const server = start({
    ...secrets,
    DATABASE_URL: database.url,
    PORTCULLIS_PORT: String(await freePort()),
    PORTCULLIS_HOST: '127.0.0.1',
    PORTCULLIS_JANITOR_INTERVAL: 'off',
  });
  t.teardown(() => stop(server));
  await server.until(/portcullis serving/);
  t.is(await stop(server), 0);
  t.notRegex(server.stderr(), /janitor/);
  t.true((await db('oidc_artifacts').pluck('id')).includes('kept'));
});

test.serial('a bad PORTCULLIS_JANITOR_INTERVAL: one line, exit 1', async (t) => {
  const server = start({
    ...secrets,
    DATABASE_URL: database.url,
    PORTCULLIS_JANITOR_INTERVAL: '5s',
  });
  t.is(await server.exited, 1);
  t.is(
    server.stderr().trim(),
    'portcullis: PORTCULLIS_JANITOR_INTERVAL must be a duration from 1m to 1d (like 1h), or off, got "5s"',
  );
});
