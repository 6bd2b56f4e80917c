import { createHash } from 'node:crypto';
import test from 'ava';
import { API, cli, cliJson, createService, exampleResourceDatabase } from './clients-fixtures.ts';

const ids: Record<string, string> = {};

const database = exampleResourceDatabase(async () => {
  for (const name of ['app-a', 'app-b']) {
    ({ client_id: ids[name] } = await createService(database, name));
  }
  for (const username of ['alice', 'bob']) {
    const created = await cli(
      database,
      ['users', 'create', '--username', username, '--password-stdin', '--json'],
      'correct horse battery staple\n',
    );
    ids[username] = (JSON.parse(created.stdout) as { id: string }).id;
  }
});

const issue = async (client: string, user?: string) =>
  cliJson<{ access_token: string; grant_id: string }>(database, [
    'tokens',
    'issue',
    '--client',
    client,
    ...(user ? ['--user', user] : []),
    '--scope',
    'notes:read',
    '--resource',
    API,
  ]);

// Stored under the SHA-256 of its value (migration 0009).
const live = async (token: string) =>
  (await database
    .db('oidc_artifacts')
    .where({ model: 'AccessToken', id: createHash('sha256').update(token).digest('base64url') })
    .first()) !== undefined;

// Every test starts from the same tokens: alice and bob with app-a, alice with app-b, app-b alone.
async function seed() {
  await database.db('oidc_artifacts').delete();
  return {
    aliceA: await issue('app-a', 'alice'),
    bobA: await issue('app-a', 'bob'),
    aliceB: await issue('app-b', 'alice'),
    appB: await issue('app-b'),
  };
}

test.serial('--grant revokes exactly that token and its grant', async (t) => {
  const tokens = await seed();
  const result = await cliJson(database, ['tokens', 'revoke', '--grant', tokens.aliceA.grant_id]);
  t.deepEqual(result, { revoked: { AccessToken: 1, Grant: 1 }, total: 2 });
  t.false(await live(tokens.aliceA.access_token));
  t.true(await live(tokens.bobA.access_token));
  t.true(await live(tokens.aliceB.access_token));
});

test.serial('--client revokes everything issued to the client (by name or id)', async (t) => {
  const tokens = await seed();
  const result = await cliJson(database, ['tokens', 'revoke', '--client', 'app-b']);
  t.deepEqual(result, { revoked: { AccessToken: 2, Grant: 2 }, total: 4 });
  t.false(await live(tokens.aliceB.access_token));
  t.false(await live(tokens.appB.access_token));
  t.true(await live(tokens.aliceA.access_token));
});

test.serial('--user revokes everything of the user, with every client', async (t) => {
  const tokens = await seed();
  const human = await cli(database, ['tokens', 'revoke', '--user', 'alice']);
  t.is(human.code, 0);
  t.is(human.stdout, 'revoked 4 artifact(s): 2 AccessToken, 2 Grant\n');
  t.false(await live(tokens.aliceA.access_token));
  t.false(await live(tokens.aliceB.access_token));
  t.true(await live(tokens.bobA.access_token));
  t.true(await live(tokens.appB.access_token));
});

test.serial('--user with --client revokes only what the user gave that client', async (t) => {
  const tokens = await seed();
  const result = await cliJson(database, [
    'tokens',
    'revoke',
    '--user',
    ids.alice as string,
    '--client',
    'app-a',
  ]);
  t.is(result.total, 2);
  t.false(await live(tokens.aliceA.access_token));
  t.true(await live(tokens.aliceB.access_token));
});

test.serial('each revocation is an audit event with its counts', async (t) => {
  const tokens = await seed();
  await cliJson(database, ['tokens', 'revoke', '--grant', tokens.bobA.grant_id]);
  const event = await database
    .db('audit_events')
    .where({ type: 'token.revoked' })
    .orderBy('id', 'desc')
    .first();
  t.like(event, {
    client_id: ids['app-a'],
    subject: ids.bob,
    details: { by: 'grant', grant_id: tokens.bobA.grant_id, revoked: { AccessToken: 1, Grant: 1 } },
  });
  t.regex(event.actor, /^cli:/);
});

test.serial('nothing to revoke for a client or user is not an error', async (t) => {
  await database.db('oidc_artifacts').delete();
  t.deepEqual(await cliJson(database, ['tokens', 'revoke', '--client', 'app-a']), {
    revoked: {},
    total: 0,
  });
});

const refusals: Array<[string, string[], number, RegExp]> = [
  ['no target', [], 2, /give --grant, --client or --user/],
  ['a grant with a client', ['--grant', 'g', '--client', 'app-a'], 2, /--grant goes alone/],
  ['a grant with a user', ['--grant', 'g', '--user', 'alice'], 2, /--grant goes alone/],
  ['an unknown grant', ['--grant', 'no-such-grant'], 1, /no grant "no-such-grant"/],
  ['an unknown client', ['--client', 'nobody'], 1, /no client/],
  ['an unknown user', ['--user', 'nobody'], 1, /no user/],
];
for (const [what, args, code, message] of refusals) {
  test.serial(`refuses ${what} (exit ${code}) and revokes nothing`, async (t) => {
    await seed();
    const before = await database.db('oidc_artifacts').count({ n: '*' });
    const result = await cli(database, ['tokens', 'revoke', ...args]);
    t.is(result.code, code);
    t.regex(result.stderr, message);
    t.is(result.stderr.trim().split('\n').length, 1);
    t.deepEqual(await database.db('oidc_artifacts').count({ n: '*' }), before);
  });
}

test('--help has an example', async (t) => {
  const result = await cli(database, ['tokens', 'revoke', '--help']);
  t.regex(result.stdout, /Examples:\n {2}\$ portcullis tokens revoke/);
});
