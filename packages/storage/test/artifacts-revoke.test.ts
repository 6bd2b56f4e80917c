import test from 'ava';
import { createArtifactsRepository } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const repo = () => createArtifactsRepository(database.db);

// Two users of two clients: alice has a grant to app-a (with tokens) and one to app-b; bob has a
// grant to app-a; both are signed in.
async function seed(): Promise<void> {
  await database.db('oidc_artifacts').delete();
  const put = (model: string, id: string, payload: Record<string, unknown>) =>
    repo().upsert(model, id, payload, 3600);
  await put('Grant', 'g-alice-a', { clientId: 'app-a', accountId: 'alice' });
  await put('AccessToken', 'at-alice-a', {
    clientId: 'app-a',
    accountId: 'alice',
    grantId: 'g-alice-a',
  });
  await put('RefreshToken', 'rt-alice-a', {
    clientId: 'app-a',
    accountId: 'alice',
    grantId: 'g-alice-a',
  });
  await put('Grant', 'g-alice-b', { clientId: 'app-b', accountId: 'alice' });
  await put('Grant', 'g-bob-a', { clientId: 'app-a', accountId: 'bob' });
  await put('ClientCredentials', 'cc-a', { clientId: 'app-a' });
  await put('Session', 's-alice', { accountId: 'alice', uid: 'u-alice' });
  await put('Session', 's-bob', { accountId: 'bob', uid: 'u-bob' });
}

const left = async () =>
  (await database.db('oidc_artifacts').orderBy('id').pluck('id')) as string[];

test.serial('by grant: the grant and everything issued from it', async (t) => {
  await seed();
  t.deepEqual(await repo().revoke({ grantId: 'g-alice-a' }), {
    Grant: 1,
    AccessToken: 1,
    RefreshToken: 1,
  });
  t.deepEqual(await left(), ['cc-a', 'g-alice-b', 'g-bob-a', 's-alice', 's-bob']);
  t.deepEqual(await repo().revoke({ grantId: 'g-alice-a' }), {});
});

test.serial('by client: its grants and tokens of every user, no sessions', async (t) => {
  await seed();
  t.deepEqual(await repo().revoke({ clientId: 'app-a' }), {
    Grant: 2,
    AccessToken: 1,
    RefreshToken: 1,
    ClientCredentials: 1,
  });
  t.deepEqual(await left(), ['g-alice-b', 's-alice', 's-bob']);
});

test.serial('by user: their grants, tokens and sessions, of every client', async (t) => {
  await seed();
  t.deepEqual(await repo().revoke({ accountId: 'alice' }), {
    Grant: 2,
    AccessToken: 1,
    RefreshToken: 1,
    Session: 1,
  });
  t.deepEqual(await left(), ['cc-a', 'g-bob-a', 's-bob']);
});

test.serial('by user and client: only what the user gave that client', async (t) => {
  await seed();
  t.deepEqual(await repo().revoke({ accountId: 'alice', clientId: 'app-a' }), {
    Grant: 1,
    AccessToken: 1,
    RefreshToken: 1,
  });
  t.deepEqual(await left(), ['cc-a', 'g-alice-b', 'g-bob-a', 's-alice', 's-bob']);
});

test.serial('nothing to revoke without a target', async (t) => {
  await t.throwsAsync(repo().revoke({}), { instanceOf: TypeError });
});
