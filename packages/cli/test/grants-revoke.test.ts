import { createArtifactsRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { as as asActor, auditEvents } from './audit-fixtures.ts';
import { artifactIds, createUser, storeGrant } from './grants-fixtures.ts';
import { cli, cliJson, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

const PASSWORD = 'never-in-the-trail-1';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const as = (actor: string, args: string[], stdin = '') => asActor(database, actor, args, stdin);
const events = (args: string[] = []) => auditEvents(database, args);

// Serial: each test starts from its own grants and reads the one trail of this file's database.
test.serial('grants revoke records consent.revoked with the client and the user', async (t) => {
  const erin = await as(
    'ops-bob',
    ['users', 'create', '--username', 'erin', '--password-stdin', '--json'],
    `${PASSWORD}\n`,
  );
  const accountId = (JSON.parse(erin.stdout) as { id: string }).id;
  const artifacts = createArtifactsRepository(database.db);
  const grant = (grantId: string, clientId: string) =>
    artifacts.upsert(
      'Grant',
      grantId,
      {
        kind: 'Grant',
        jti: grantId,
        accountId,
        clientId,
        openid: { scope: 'openid' },
        iat: Math.floor(Date.now() / 1000),
      },
      3600,
    );
  await grant('grant-1', 'client-a');
  await grant('grant-2', 'client-a');
  await grant('grant-3', 'client-b');

  const one = await as('ops-bob', ['grants', 'revoke', 'grant-1', '--json']);
  t.is(one.code, 0, one.stderr);
  const byUser = await as('ops-bob', [
    'grants',
    'revoke',
    '--user',
    'erin',
    '--client',
    'client-b',
    '--json',
  ]);
  t.deepEqual(JSON.parse(byUser.stdout), { revoked: 1 });
  const revoked = await events(['--type', 'consent.revoked']);
  t.deepEqual(
    revoked.map((e) => [e.actor, e.client_id, e.subject, e.details]),
    [
      ['cli:ops-bob', 'client-a', accountId, { grant_id: 'grant-1', via: 'cli' }],
      ['cli:ops-bob', 'client-b', accountId, { grant_id: 'grant-3', via: 'cli' }],
    ],
  );
  const missing = await as('ops-bob', ['grants', 'revoke', 'grant-1']);
  t.is(missing.code, 1);
  t.is(
    (await events(['--type', 'consent.revoked'])).length,
    2,
    'nothing revoked, nothing recorded',
  );
});

test.serial(
  'revoking one grant removes it and what was issued from it, nothing else',
  async (t) => {
    await database.db('oidc_artifacts').delete();
    const frank = await createUser(database, 'frank');
    await storeGrant(database, { grantId: 'g-a', accountId: frank, clientId: 'app-a' });
    await storeGrant(database, { grantId: 'g-b', accountId: frank, clientId: 'app-b' });
    const human = await cli(database, ['grants', 'revoke', 'g-a']);
    t.is(human.code, 0, human.stderr);
    t.is(human.stdout, 'revoked 1 grant(s)\n');
    t.deepEqual(await artifactIds(database, 'Grant'), ['g-b']);
    t.deepEqual(await artifactIds(database, 'AccessToken'), ['token-of-g-b']);
  },
);

test.serial('--user revokes every grant of the user; with --client only those to it', async (t) => {
  await database.db('oidc_artifacts').delete();
  const gina = await createUser(database, 'gina');
  const hugo = await createUser(database, 'hugo');
  await storeGrant(database, { grantId: 'g-1', accountId: gina, clientId: 'app-a' });
  await storeGrant(database, { grantId: 'g-2', accountId: gina, clientId: 'app-b' });
  await storeGrant(database, { grantId: 'g-3', accountId: gina, clientId: 'app-b' });
  await storeGrant(database, { grantId: 'g-4', accountId: hugo, clientId: 'app-b' });

  t.deepEqual(
    await cliJson(database, ['grants', 'revoke', '--user', 'GINA', '--client', 'app-b']),
    { revoked: 2 },
  );
  t.deepEqual(await artifactIds(database, 'Grant'), ['g-1', 'g-4']);
  t.deepEqual(await cliJson(database, ['grants', 'revoke', '--user', gina]), { revoked: 1 });
  t.deepEqual(await artifactIds(database, 'Grant'), ['g-4']);
  t.deepEqual(await artifactIds(database, 'AccessToken'), ['token-of-g-4']);
  t.deepEqual(
    await cliJson(database, ['grants', 'revoke', '--user', gina]),
    { revoked: 0 },
    'nothing left to revoke is not an error',
  );
});

test.serial('an unknown grant or user: one line, exit 1, nothing revoked', async (t) => {
  await database.db('oidc_artifacts').delete();
  const ivy = await createUser(database, 'ivy');
  await storeGrant(database, { grantId: 'g-ivy', accountId: ivy, clientId: 'app-a' });
  failsWithOneLine(
    t,
    await cli(database, ['grants', 'revoke', 'no-such-grant']),
    /no grant "no-such-grant"/,
  );
  failsWithOneLine(
    t,
    await cli(database, ['grants', 'revoke', '--user', 'nobody']),
    /no user with id or username "nobody"/,
  );
  t.deepEqual(await artifactIds(database, 'Grant'), ['g-ivy']);
});

const usageErrors: Array<[string, string[], RegExp]> = [
  ['neither a grant nor --user', [], /give either a grant id or --user/],
  ['a grant and --user', ['g-ivy', '--user', 'ivy'], /give either a grant id or --user/],
  ['--client without --user', ['g-ivy', '--client', 'app-a'], /--client goes with --user/],
  ['two grants', ['g-ivy', 'g-other'], /too many arguments/],
  ['an unknown option', ['g-ivy', '--all'], /unknown option '--all'/],
];
for (const [what, args, why] of usageErrors) {
  test.serial(`refuses ${what}: exit 2, nothing revoked`, async (t) => {
    const before = await artifactIds(database, 'Grant');
    failsWithOneLine(t, await cli(database, ['grants', 'revoke', ...args]), why, 2);
    t.deepEqual(await artifactIds(database, 'Grant'), before);
  });
}

test.serial('--help has examples', async (t) => {
  await showsHelpWithExample(t, database, ['grants', 'revoke']);
});
