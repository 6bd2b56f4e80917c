import test from 'ava';
import {
  auditOf,
  cli,
  cliJson,
  cliOnTerminal,
  createService,
  createWebApp,
  exampleResourceDatabase,
  failsWithOneLine,
  type SecretJson,
} from './clients-fixtures.ts';

const database = exampleResourceDatabase();

const secretRows = (clientId: string) =>
  database.db('client_secrets').where({ client_id: clientId }).orderBy('id');
const namesOf = async (clientId: string) => (await secretRows(clientId)).map((r) => r.name);

/** A service with a live `initial` secret and a live `second` one (the old one still in its overlap). */
async function twoSecrets(name: string) {
  const svc = await createService(database, name);
  await cliJson(database, ['clients', 'rotate-secret', svc.client_id, '--name', 'second']);
  return svc;
}

test('--yes removes the named secret and only it, with its audit event', async (t) => {
  const svc = await twoSecrets('two-secrets');
  const bystander = await createService(database, 'bystander');
  const [initial] = await secretRows(svc.client_id);
  const listed = await cliJson<SecretJson[]>(database, ['clients', 'secrets', svc.client_id]);

  const removed = await cliJson<SecretJson>(database, [
    'clients',
    'remove-secret',
    'TWO-SECRETS',
    'initial',
    '--yes',
  ]);
  t.deepEqual(
    removed,
    listed.find((s) => s.name === 'initial'),
    'as `clients secrets --json` showed it',
  );
  t.is(removed.id, String(initial.id));
  t.false(removed.expired);
  t.deepEqual(await namesOf(svc.client_id), ['second']);
  t.deepEqual(await namesOf(bystander.client_id), ['initial'], "another client's secret stays");

  const event = (await auditOf(database, svc.client_id)).at(-1);
  t.is(event?.type, 'client.secret_removed');
  t.deepEqual(event?.details, { secret: 'initial' });
  t.regex(event?.actor ?? '', /^cli:/);
  t.false(JSON.stringify(event).includes(String(initial.secret_hash).slice(7)));
});

test('human output is one line', async (t) => {
  const svc = await twoSecrets('human-remove');
  const result = await cli(database, [
    'clients',
    'remove-secret',
    svc.client_id,
    'second',
    '--yes',
  ]);
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
  t.is(result.stdout, `removed secret "second" of client "human-remove" (${svc.client_id})\n`);
  t.deepEqual(await namesOf(svc.client_id), ['initial']);
});

test('an expired secret is removed without --yes and without a terminal', async (t) => {
  const svc = await createService(database, 'lapsed-secret');
  await cliJson(database, ['clients', 'rotate-secret', svc.client_id, '--keep-old', '0']);
  const removed = await cliJson<SecretJson>(database, [
    'clients',
    'remove-secret',
    svc.client_id,
    'initial',
  ]);
  t.true(removed.expired);
  t.deepEqual(await namesOf(svc.client_id), ['secret-2']);
});

test('a live secret without a terminal and without --yes is refused (exit 2); nothing changes', async (t) => {
  const svc = await twoSecrets('kept-secrets');
  const before = await secretRows(svc.client_id);
  const audit = await auditOf(database, svc.client_id);
  const refused = await cli(database, ['clients', 'remove-secret', svc.client_id, 'initial']);
  failsWithOneLine(
    t,
    refused,
    /^portcullis: refusing to remove secret "initial" of client "kept-secrets" without confirmation: it still works: .*stdin is not a terminal, pass --yes$/m,
    2,
  );
  t.notRegex(refused.stderr, /no longer be able to authenticate/);
  t.deepEqual(await secretRows(svc.client_id), before);
  t.deepEqual(await auditOf(database, svc.client_id), audit);
});

test("the client's last unexpired secret: the refusal says it will not authenticate", async (t) => {
  const svc = await createService(database, 'one-secret');
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'remove-secret', svc.client_id, 'initial']),
    /last unexpired secret: the client will no longer be able to authenticate; stdin is not a terminal, pass --yes/,
    2,
  );
  t.deepEqual(await namesOf(svc.client_id), ['initial']);
});

test('on a terminal it asks about a live secret, and only "y" or "yes" removes it', async (t) => {
  const svc = await twoSecrets('asked-secret');
  const args = ['clients', 'remove-secret', 'asked-secret', 'initial'];
  for (const answer of ['n\n', '\n', '']) {
    const refused = await cliOnTerminal(database, args, answer);
    t.is(refused.code, 1, JSON.stringify(answer));
    t.regex(
      refused.stderr,
      /^Remove secret "initial" of client "asked-secret" \(\S+\)\? It still works: whatever uses it will be refused\. \[y\/N\] portcullis: not removed: not confirmed\n$/,
    );
  }
  t.deepEqual(await namesOf(svc.client_id), ['initial', 'second']);
  const confirmed = await cliOnTerminal(database, args, 'y\n');
  t.is(confirmed.code, 0, confirmed.stderr);
  t.deepEqual(await namesOf(svc.client_id), ['second']);

  // Now the last one: the question says what removing it means.
  const last = await cliOnTerminal(
    database,
    ['clients', 'remove-secret', svc.client_id, 'second'],
    'n\n',
  );
  t.is(last.code, 1);
  t.regex(
    last.stderr,
    /^Remove secret "second" of client "asked-secret" \(\S+\)\? It is the client's last unexpired secret: the client will no longer be able to authenticate\. \[y\/N\] /,
  );
  t.deepEqual(await namesOf(svc.client_id), ['second']);
});

test('an expired secret is removed on a terminal without a question', async (t) => {
  const svc = await createService(database, 'unasked');
  await cliJson(database, ['clients', 'rotate-secret', svc.client_id, '--keep-old', '0']);
  const result = await cliOnTerminal(
    database,
    ['clients', 'remove-secret', 'unasked', 'initial'],
    '',
  );
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
  t.deepEqual(await namesOf(svc.client_id), ['secret-2']);
});

test('a secret whose name starts with "-" is named after --', async (t) => {
  const svc = await createService(database, 'dashed');
  await cliJson(database, ['clients', 'rotate-secret', svc.client_id, '--name=-x']);
  const result = await cli(database, [
    'clients',
    'remove-secret',
    svc.client_id,
    '--yes',
    '--json',
    '--',
    '-x',
  ]);
  t.is(result.code, 0, result.stderr);
  t.is((JSON.parse(result.stdout) as SecretJson).name, '-x');
  t.deepEqual(await namesOf(svc.client_id), ['initial']);
});

test('unknown client or secret, or a public client: one line, exit 1, nothing changed', async (t) => {
  const svc = await createService(database, 'known');
  const spa = await createWebApp(database, 'spa-remove', ['--public']);
  const audit = await auditOf(database, svc.client_id);
  for (const yes of [[], ['--yes']]) {
    failsWithOneLine(
      t,
      await cli(database, ['clients', 'remove-secret', 'nope', 'initial', ...yes]),
      /^portcullis: no client with id or name "nope"$/m,
    );
    failsWithOneLine(
      t,
      await cli(database, ['clients', 'remove-secret', 'known', 'Initial', ...yes]),
      /^portcullis: client "known" has no secret named "Initial"$/m,
    );
    failsWithOneLine(
      t,
      await cli(database, ['clients', 'remove-secret', spa.client_id, 'initial', ...yes]),
      /client "spa-remove" is public: it has no secret/,
    );
  }
  t.deepEqual(await namesOf(svc.client_id), ['initial']);
  t.deepEqual(await auditOf(database, svc.client_id), audit);
});

test('missing arguments are usage errors (exit 2); --help shows an example', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'remove-secret']),
    /missing required argument 'client'/,
    2,
  );
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'remove-secret', 'known', '--yes']),
    /missing required argument 'secret'/,
    2,
  );
  const help = await cli(database, ['clients', 'remove-secret', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /Examples:\n +\$ portcullis clients remove-secret billing secret-1/);
  t.regex(help.stdout, /--yes/);
  t.regex(help.stdout, /--json/);
});
