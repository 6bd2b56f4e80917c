import test from 'ava';
import { createFactorsRepository, createUsersRepository, type StorageError } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const artifact = (model: string, id: string, payload: Record<string, unknown>) =>
  database.db('oidc_artifacts').insert({
    model,
    id,
    payload: JSON.stringify(payload),
    grant_id: (payload.grantId as string | undefined) ?? null,
  });

const artifactIds = async () =>
  (await database.db('oidc_artifacts').orderBy('id').pluck('id')) as string[];

test('create stores the user with defaults and finds it by id and by username in any case', async (t) => {
  const users = createUsersRepository(database.db);
  const created = await users.create({ id: 'u-1', username: 'Alice', passwordHash: 'h1' });
  t.like(created, {
    id: 'u-1',
    username: 'Alice',
    passwordHash: 'h1',
    email: null,
    emailVerified: false,
    name: null,
    disabledAt: null,
  });
  t.true(created.createdAt instanceof Date);
  t.true(created.updatedAt instanceof Date);
  t.is((await users.findById('u-1'))?.username, 'Alice');
  t.is((await users.findByUsername('alice'))?.id, 'u-1');
  t.is((await users.findByUsername('ALICE'))?.id, 'u-1');
  t.is(await users.findByUsername('alic'), undefined);
  t.is(await users.findById('alice'), undefined);
});

test('optional profile fields are stored', async (t) => {
  const users = createUsersRepository(database.db);
  const created = await users.create({
    id: 'u-2',
    username: 'bob',
    passwordHash: 'h',
    email: 'bob@example.com',
    emailVerified: true,
    name: 'Bob',
  });
  t.like(created, { email: 'bob@example.com', emailVerified: true, name: 'Bob' });
});

test('a username taken in any case is a conflict and writes nothing', async (t) => {
  const users = createUsersRepository(database.db);
  await users.create({ id: 'u-3', username: 'Carol', passwordHash: 'h' });
  const error = await t.throwsAsync(
    users.create({ id: 'u-4', username: 'CAROL', passwordHash: 'h' }),
  );
  t.is((error as StorageError).code, 'conflict');
  t.regex(error?.message ?? '', /a user named "CAROL" already exists/);
  t.is(await users.findById('u-4'), undefined);
});

test('list returns every user, oldest first', async (t) => {
  const users = createUsersRepository(database.db);
  await users.create({ id: 'u-5', username: 'dave', passwordHash: 'h' });
  await users.create({ id: 'u-5b', username: 'dave2', passwordHash: 'h' });
  const ids = (await users.list()).map((u) => u.id);
  t.true(ids.includes('u-5'));
  t.true(ids.indexOf('u-5') < ids.indexOf('u-5b'));
});

test('setPasswordHash replaces the hash, optionally only while it is still the expected one', async (t) => {
  const users = createUsersRepository(database.db);
  await users.create({ id: 'u-6', username: 'erin', passwordHash: 'old' });
  t.true(await users.setPasswordHash('u-6', 'new'));
  t.is((await users.findById('u-6'))?.passwordHash, 'new');
  t.false(await users.setPasswordHash('u-6', 'newer', { ifCurrent: 'old' }));
  t.is((await users.findById('u-6'))?.passwordHash, 'new');
  t.true(await users.setPasswordHash('u-6', 'newer', { ifCurrent: 'new' }));
  t.is((await users.findById('u-6'))?.passwordHash, 'newer');
  t.false(await users.setPasswordHash('nobody', 'x'));
});

test.serial(
  'disabling deletes the user’s artifacts and nobody else’s; enabling keeps them gone',
  async (t) => {
    const users = createUsersRepository(database.db);
    await users.create({ id: 'u-7', username: 'frank', passwordHash: 'h' });
    await artifact('Session', 's-frank', { accountId: 'u-7' });
    await artifact('Grant', 'g-frank', { accountId: 'u-7', clientId: 'c' });
    await artifact('RefreshToken', 'rt-frank', { accountId: 'u-7', grantId: 'g-frank' });
    await artifact('AuthorizationCode', 'ac-frank', { accountId: 'u-7', grantId: 'g-frank' });
    await artifact('Grant', 'g-other', { accountId: 'u-1', clientId: 'c' });
    await artifact('ClientCredentials', 'cc', { clientId: 'c' });

    t.true(await users.setDisabled('u-7', true));
    const disabled = await users.findById('u-7');
    t.true(disabled?.disabledAt instanceof Date);
    t.deepEqual(await artifactIds(), ['cc', 'g-other']);

    // Disabling again keeps the first time.
    t.true(await users.setDisabled('u-7', true));
    t.deepEqual((await users.findById('u-7'))?.disabledAt, disabled?.disabledAt);

    await artifact('Session', 's-frank-2', { accountId: 'u-7' });
    t.true(await users.setDisabled('u-7', false));
    t.is((await users.findById('u-7'))?.disabledAt, null);
    t.true((await artifactIds()).includes('s-frank-2'), 'enabling revokes nothing');
    t.false(await users.setDisabled('nobody', true));
    await database.db('oidc_artifacts').delete();
  },
);

test.serial('delete removes the user and their artifacts in one go', async (t) => {
  const users = createUsersRepository(database.db);
  await users.create({ id: 'u-8', username: 'grace', passwordHash: 'h' });
  await artifact('Session', 's-grace', { accountId: 'u-8' });
  await artifact('RefreshToken', 'rt-grace', { accountId: 'u-8', grantId: 'g' });
  await artifact('Session', 's-other', { accountId: 'u-1' });
  t.true(await users.delete('u-8'));
  t.is(await users.findById('u-8'), undefined);
  t.deepEqual(await artifactIds(), ['s-other']);
  t.false(await users.delete('u-8'));
  // The username is free again.
  await t.notThrowsAsync(users.create({ id: 'u-9', username: 'Grace', passwordHash: 'h' }));
  await database.db('oidc_artifacts').delete();
});

test('the username index is unique on lower(username)', async (t) => {
  const indexes = await database.db('pg_indexes').where({ tablename: 'users' }).pluck('indexdef');
  t.true(
    indexes.some((d: string) =>
      /UNIQUE INDEX users_username_lower_idx .*lower\(username\)/.test(d),
    ),
  );
});

test('findByIdWithFactor and findByUsernameWithFactor say whether a confirmed factor exists', async (t) => {
  const users = createUsersRepository(database.db);
  const factors = createFactorsRepository(database.db);
  await users.create({ id: 'u-factor', username: 'Fay', passwordHash: 'h' });
  t.like(await users.findByIdWithFactor('u-factor'), {
    user: { id: 'u-factor', username: 'Fay', passwordHash: 'h' },
    hasFactor: false,
  });
  // An enrolment waiting for its first code is not a factor yet.
  await factors.startEnrolment({
    id: 'f-1',
    userId: 'u-factor',
    kind: 'totp',
    label: 'app',
    secret: 's',
  });
  t.is((await users.findByUsernameWithFactor('FAY'))?.hasFactor, false);
  t.true(await factors.useStep('f-1', 1, { confirm: true }));
  t.is((await users.findByIdWithFactor('u-factor'))?.hasFactor, true);
  t.is((await users.findByUsernameWithFactor('fay'))?.user.id, 'u-factor');
  t.is(await users.findByIdWithFactor('nobody'), undefined);
  t.is(await users.findByUsernameWithFactor('nobody'), undefined);
});
