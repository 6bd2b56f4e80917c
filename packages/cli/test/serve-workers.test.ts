import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { restartDelay } from '../src/cluster.ts';
import { cliWith, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

// `portcullis serve --workers N`: what the primary refuses before it starts any worker, in
// process. The workers themselves run in serve-workers.slow.test.ts.

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const secrets = {
  PORTCULLIS_ISSUER: 'http://127.0.0.1:1',
  PORTCULLIS_COOKIE_KEYS: 'k'.repeat(43),
  PORTCULLIS_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64url'),
};

test('pending migrations: exit 1 with one line before any worker starts', async (t) => {
  const empty = await createTestDatabase({ migrate: false });
  t.teardown(() => empty.drop());
  const result = await cliWith(empty, ['serve', '--workers', '2'], { env: secrets });
  failsWithOneLine(t, result, /^portcullis: the database has \d+ pending migration/);
});

test('database unreachable: exit 1 with one line', async (t) => {
  const result = await cliWith(
    { url: 'postgres://postgres@127.0.0.1:1/none' },
    ['serve', '--workers', '2'],
    {
      env: secrets,
    },
  );
  failsWithOneLine(t, result, /^portcullis: cannot reach the database/);
});

test('missing secrets: exit 1 with one line', async (t) => {
  const result = await cliWith(database, ['serve', '--workers', '2'], {
    env: { PORTCULLIS_ISSUER: 'http://127.0.0.1:1' },
  });
  failsWithOneLine(
    t,
    result,
    /PORTCULLIS_COOKIE_KEYS and PORTCULLIS_KEY_ENCRYPTION_KEY must be set/,
  );
});

for (const bad of ['0', '65', '-1', '2.5', 'three', '']) {
  test(`--workers ${JSON.stringify(bad)}: usage error, exit 2`, async (t) => {
    const result = await cliWith(database, ['serve', '--workers', bad]);
    failsWithOneLine(t, result, /--workers <n>.*expected a whole number from 1 to 64/, 2);
  });
}

test('--workers without a number: usage error, exit 2', async (t) => {
  const result = await cliWith(database, ['serve', '--workers']);
  failsWithOneLine(t, result, /--workers <n>' argument missing/, 2);
});

test('--help shows --workers with an example', async (t) => {
  const help = await showsHelpWithExample(t, database, ['serve']);
  t.regex(help, /--workers <n>/);
  t.regex(help, /\$ portcullis serve --workers 4/);
});

test('restarts back off: 250 ms, doubling, at most 15 s', (t) => {
  t.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 20].map(restartDelay),
    [250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000],
  );
});
