import test from 'ava';
import {
  createClientsRepository,
  createLogoutNoticesRepository,
  createUsersRepository,
} from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

// Logout notices (issue 13): sessions ended in SQL leave, in the same transaction, a notice per
// client signed in through them that takes back-channel logout; a server takes each notice once.

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
  const clients = createClientsRepository(database.db);
  const web = {
    grantTypes: ['authorization_code'],
    redirectUris: ['https://app.example/cb'],
    scopes: ['openid'],
    resources: [],
    isPublic: true,
    firstParty: true,
  };
  await clients.create({
    ...web,
    id: 'told',
    name: 'Told',
    backchannelLogoutUri: 'https://told.example/logout',
  });
  await clients.create({
    ...web,
    id: 'also-told',
    name: 'Also told',
    backchannelLogoutUri: 'https://also.example/logout',
  });
  await clients.create({ ...web, id: 'silent', name: 'Silent' });
});
test.after.always(async () => {
  await database?.drop();
});

const session = (id: string, accountId: string, authorizations: Record<string, unknown>) =>
  database.db('oidc_artifacts').insert({
    model: 'Session',
    id,
    payload: JSON.stringify({ accountId, authorizations }),
  });

const user = (id: string) =>
  createUsersRepository(database.db).create({ id, username: id, passwordHash: 'h' });

const noticesOf = async (accountId: string) =>
  (await database.db('logout_notices').where({ account_id: accountId }).orderBy('id')).map(
    (row: { client_id: string; sid: string | null }) => `${row.client_id}:${row.sid}`,
  );

test('ending sign-ins notices each client with a logout URI of each ended session, not the kept one', async (t) => {
  await user('u-end');
  await session('s-1', 'u-end', { told: { sid: 'sid-1' }, silent: { sid: 'sid-2' } });
  await session('s-2', 'u-end', { 'also-told': { sid: 'sid-3' } });
  await session('s-kept', 'u-end', { told: { sid: 'sid-4' } });
  await session('s-other', 'u-other', { told: { sid: 'sid-5' } });
  const users = createUsersRepository(database.db);
  await users.endSignIns('u-end', { keepSession: 's-kept', refreshTokens: false });
  t.deepEqual((await noticesOf('u-end')).sort(), ['also-told:sid-3', 'told:sid-1']);
  t.deepEqual(await noticesOf('u-other'), []);
  t.deepEqual(
    await database
      .db('oidc_artifacts')
      .where({ model: 'Session' })
      .whereIn('id', ['s-1', 's-2', 's-kept', 's-other'])
      .orderBy('id')
      .pluck('id'),
    ['s-kept', 's-other'],
  );
});

test('disabling and deleting notice too; a rolled-back change leaves no notice', async (t) => {
  const users = createUsersRepository(database.db);
  await user('u-disable');
  await session('s-d', 'u-disable', { told: { sid: 'sid-d' } });
  await users.setDisabled('u-disable', true);
  t.deepEqual(await noticesOf('u-disable'), ['told:sid-d']);

  await user('u-delete');
  await session('s-x', 'u-delete', { told: { sid: 'sid-x' } });
  await t.throwsAsync(
    database.db.transaction(async (trx) => {
      await createUsersRepository(trx).endSignIns('u-delete', { refreshTokens: true });
      throw new Error('rolled back');
    }),
  );
  t.deepEqual(await noticesOf('u-delete'), []);
  await users.delete('u-delete');
  t.deepEqual(await noticesOf('u-delete'), ['told:sid-x']);
});

test('a session without authorizations (signed in to no client) notices nothing', async (t) => {
  await user('u-none');
  await database.db('oidc_artifacts').insert({
    model: 'Session',
    id: 's-none',
    payload: JSON.stringify({ accountId: 'u-none' }),
  });
  await createUsersRepository(database.db).endSignIns('u-none', { refreshTokens: false });
  t.deepEqual(await noticesOf('u-none'), []);
});

test.serial('take hands each notice to exactly one of several takers, oldest first', async (t) => {
  await database.db('logout_notices').delete();
  await database.db('logout_notices').insert(
    Array.from({ length: 30 }, (_, i) => ({
      client_id: 'told',
      account_id: `u-${i}`,
      sid: `s-${i}`,
    })),
  );
  const notices = createLogoutNoticesRepository(database.db);
  const taken = await Promise.all([
    notices.take(10),
    notices.take(10),
    notices.take(10),
    notices.take(10),
  ]);
  const accounts = taken.flat().map((n) => n.accountId);
  t.is(accounts.length, 30);
  t.is(new Set(accounts).size, 30);
  for (const batch of taken) {
    const order = batch.map((n) => Number(n.accountId.slice(2)));
    t.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
  }
  t.deepEqual(await notices.take(10), []);
});
