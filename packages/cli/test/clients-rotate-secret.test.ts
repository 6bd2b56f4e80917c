import { verifyClientSecret } from '@portcullis/auth-server';
import test from 'ava';
import {
  auditOf,
  cli,
  cliJson,
  createService,
  createWebApp,
  exampleResourceDatabase,
  failsWithOneLine,
  type SecretJson,
} from './clients-fixtures.ts';

const database = exampleResourceDatabase();

interface Rotated {
  client_id: string;
  client_secret: string;
  secret: SecretJson;
  expiring: SecretJson[];
}

const secretRows = (clientId: string) =>
  database.db('client_secrets').where({ client_id: clientId }).orderBy('id');
const HOUR = 3_600_000;

test('adds a new secret shown once and lets the old one work for 24 hours by default', async (t) => {
  const svc = await createService(database, 'rotating');
  const startedAt = Date.now();
  const rotated = await cliJson<Rotated>(database, ['clients', 'rotate-secret', 'rotating']);
  t.is(rotated.client_id, svc.client_id);
  t.is(rotated.secret.name, 'secret-2');
  t.is(rotated.secret.expires_at, null);
  t.deepEqual(
    rotated.expiring.map((s) => s.name),
    ['initial'],
  );
  const [old, fresh] = await secretRows(svc.client_id);
  t.true(verifyClientSecret(rotated.client_secret, fresh.secret_hash));
  t.true(verifyClientSecret(svc.client_secret as string, old.secret_hash));
  const expiresIn = (old.expires_at as Date).getTime() - startedAt;
  t.true(expiresIn > 23.9 * HOUR && expiresIn <= 24 * HOUR + 60_000, `${expiresIn} ms`);
  t.is(fresh.expires_at, null);
  t.false(JSON.stringify(await secretRows(svc.client_id)).includes(rotated.client_secret));

  const events = await auditOf(database, svc.client_id);
  t.deepEqual(
    events.slice(-2).map((e) => [e.type, e.details.secret]),
    [
      ['client.secret_added', 'secret-2'],
      ['client.secret_expired', 'initial'],
    ],
  );
  t.is(events.at(-1)?.details.expires_at, (old.expires_at as Date).toISOString());
  t.false(JSON.stringify(events).includes(rotated.client_secret));
});

test('--keep-old 0 stops the old secrets now; a shorter overlap never lengthens an expiry', async (t) => {
  const svc = await createService(database, 'leaked');
  await cliJson(database, [
    'clients',
    'rotate-secret',
    svc.client_id,
    '--keep-old',
    '1h',
    '--name',
    'second',
  ]);
  const [, second] = await secretRows(svc.client_id);
  const initialExpiry = (await secretRows(svc.client_id))[0].expires_at as Date;

  // A longer overlap later must not give the initial secret more time.
  const third = await cliJson<Rotated>(database, [
    'clients',
    'rotate-secret',
    svc.client_id,
    '--keep-old',
    '7d',
    '--name',
    'third',
  ]);
  t.deepEqual(
    third.expiring.map((s) => s.name),
    ['second'],
  );
  const rows = await secretRows(svc.client_id);
  t.deepEqual(rows[0].expires_at, initialExpiry);
  t.true((rows[1].expires_at as Date).getTime() > Date.now() + 6 * 24 * HOUR);
  t.is(second.name, 'second');

  const now = await cliJson<Rotated>(database, [
    'clients',
    'rotate-secret',
    svc.client_id,
    '--keep-old',
    '0',
  ]);
  t.deepEqual(now.expiring.map((s) => [s.name, s.expired]).sort(), [
    ['initial', true],
    ['second', true],
    ['third', true],
  ]);
  const after = await secretRows(svc.client_id);
  t.is(after.filter((r) => r.expires_at === null || r.expires_at > new Date()).length, 1);
  t.is(now.secret.name, 'secret-4');
});

test('human output shows the new secret once and when the old ones stop', async (t) => {
  await createService(database, 'human-rotate');
  const result = await cli(database, [
    'clients',
    'rotate-secret',
    'human-rotate',
    '--keep-old',
    '30m',
  ]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^new secret "secret-2" for client "human-rotate"$/m);
  t.regex(result.stdout, /^client_secret: +\S{43}$/m);
  t.regex(result.stdout, /shown only now/);
  t.regex(result.stdout, /^old secret "initial" keeps working until \S+$/m);
  const now = await cli(database, ['clients', 'rotate-secret', 'human-rotate', '--keep-old', '0']);
  t.regex(now.stdout, /^old secret "initial" stopped working$/m);
});

const refusals: Array<[string, string[], RegExp]> = [
  [
    'a lifetime that is not a duration',
    ['--keep-old', 'forever'],
    /--keep-old "forever" is not a duration/,
  ],
  ['an overlap over a year', ['--keep-old', '400d'], /--keep-old must be from 0s to 365d/],
  [
    'a name already used by the client',
    ['--name', 'initial'],
    /already has a secret named "initial"/,
  ],
  ['an empty name', ['--name', ' '], /secret name must be 1 to 100 characters/],
];

for (const [what, args, message] of refusals) {
  test(`refuses ${what} with one line and writes nothing`, async (t) => {
    const svc = await createService(database, `refuse ${what}`);
    const before = await secretRows(svc.client_id);
    const audit = await auditOf(database, svc.client_id);
    failsWithOneLine(
      t,
      await cli(database, ['clients', 'rotate-secret', svc.client_id, ...args]),
      message,
    );
    t.deepEqual(await secretRows(svc.client_id), before);
    t.deepEqual(await auditOf(database, svc.client_id), audit);
  });
}

test('a public client has no secret to rotate', async (t) => {
  const spa = await createWebApp(database, 'spa-rotate', ['--public']);
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'rotate-secret', spa.client_id]),
    /is public: it has no secret/,
  );
  t.deepEqual(await secretRows(spa.client_id), []);
});

test('an unknown client fails with one line; no argument is a usage error', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'rotate-secret', 'nope']),
    /no client with id or name "nope"/,
  );
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'rotate-secret']),
    /missing required argument/,
    2,
  );
  const help = await cli(database, ['clients', 'rotate-secret', '--help']);
  t.regex(help.stdout, /Examples:\n +\$ portcullis clients rotate-secret/);
  t.regex(help.stdout, /default: "24h"/);
});
