import { hash } from '@node-rs/argon2';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import type { AuthServerError } from '../src/errors.ts';
import { signInFailuresKey } from '../src/limits/clear-sign-in-failures.ts';
import { needsRehash, passwordVerifications, verifyPassword } from '../src/secrets/password.ts';
import { createUsersService } from '../src/services/users-service.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const service = () => createUsersService(database.db);
const PASSWORD = 'correct horse battery staple';
const storedHash = async (id: string) =>
  (await database.db('users').where({ id }).first('password_hash'))?.password_hash as string;
const code = (error: unknown) => (error as AuthServerError | undefined)?.code;

test('create stores an argon2id hash and returns the user without it', async (t) => {
  const user = await service().create({
    username: '  Alice.Liddell@wonder-land_1  ',
    password: PASSWORD,
    email: 'alice@example.com',
    name: 'Alice Liddell',
  });
  t.regex(user.id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/, '16 random bytes, base64url, no leading -');
  t.like(user, {
    username: 'Alice.Liddell@wonder-land_1',
    email: 'alice@example.com',
    emailVerified: false,
    name: 'Alice Liddell',
    disabledAt: null,
  });
  t.false('passwordHash' in user);
  const stored = await storedHash(user.id);
  t.true(stored.startsWith('$argon2id$v=19$m=19456,t=2,p=1$'));
  t.true(await verifyPassword(PASSWORD, stored));
  t.false(JSON.stringify(await database.db('users').where({ id: user.id })).includes(PASSWORD));
});

test('usernames are unique regardless of case', async (t) => {
  await service().create({ username: 'Bob', password: PASSWORD });
  const error = await t.throwsAsync(service().create({ username: 'bOB', password: PASSWORD }));
  t.is(code(error), 'conflict');
  t.is(error?.message, 'a user named "bOB" already exists');
  t.is((await database.db('users').whereRaw(`lower(username) = 'bob'`)).length, 1);
});

const refusals: Array<
  [string, { username: string; password: string; email?: string; name?: string }, RegExp]
> = [
  ['an empty username', { username: '   ', password: PASSWORD }, /username must be 1 to 64/],
  ['a username with a space', { username: 'a b', password: PASSWORD }, /username/],
  ['a username with a slash', { username: 'a/b', password: PASSWORD }, /username/],
  ['a non-ASCII username', { username: 'jos\u00e9', password: PASSWORD }, /username/],
  ['a 65-character username', { username: 'a'.repeat(65), password: PASSWORD }, /username/],
  ['a 7-character password', { username: 'carol', password: '1234567' }, /8 to 1024/],
  [
    '7 emoji (14 UTF-16 units)',
    { username: 'carol', password: '\u{1F600}'.repeat(7) },
    /8 to 1024/,
  ],
  ['a 1025-character password', { username: 'carol', password: 'x'.repeat(1025) }, /8 to 1024/],
  [
    'the username as password',
    { username: 'carolcarol', password: 'CarolCarol' },
    /not be the username/,
  ],
  [
    'an email without @',
    { username: 'carol', password: PASSWORD, email: 'carol' },
    /not a valid email/,
  ],
  [
    'an email with two @',
    { username: 'carol', password: PASSWORD, email: 'a@b@c' },
    /not a valid email/,
  ],
  [
    'an email with a space',
    { username: 'carol', password: PASSWORD, email: 'a b@c.d' },
    /not a valid email/,
  ],
  [
    'an email ending in @',
    { username: 'carol', password: PASSWORD, email: 'carol@' },
    /not a valid email/,
  ],
  ['an empty email', { username: 'carol', password: PASSWORD, email: '' }, /not a valid email/],
  [
    'a 255-character email',
    { username: 'carol', password: PASSWORD, email: `${'a'.repeat(243)}@example.com` },
    /not a valid email/,
  ],
  ['an empty name', { username: 'carol', password: PASSWORD, name: ' ' }, /name must be 1 to 100/],
  ['a name with a newline', { username: 'carol', password: PASSWORD, name: 'a\nb' }, /control/],
];

for (const [what, input, message] of refusals) {
  test(`refuses ${what} and writes nothing`, async (t) => {
    const before = await database.db('users').where({ username: 'carol' }).first();
    const error = await t.throwsAsync(service().create(input));
    t.is(code(error), 'invalid_input');
    t.regex(error?.message ?? '', message);
    t.false((error?.message ?? '').includes(input.password), 'never echoes the password');
    t.deepEqual(await database.db('users').where({ username: 'carol' }).first(), before);
  });
}

test('accepts 8 emoji, a 1024-character password and a 254-character email', async (t) => {
  await t.notThrowsAsync(service().create({ username: 'emoji', password: '\u{1F600}'.repeat(8) }));
  await t.notThrowsAsync(
    service().create({
      username: 'long',
      password: 'x'.repeat(1024),
      email: `${'a'.repeat(242)}@example.com`,
    }),
  );
});

test('authenticate returns the user for the right password, any username case', async (t) => {
  const created = await service().create({ username: 'Dave', password: PASSWORD });
  const user = await service().authenticate('dAVE', PASSWORD);
  t.is(user?.id, created.id);
  t.false(user !== undefined && 'passwordHash' in user);
  t.is((await service().authenticate(' Dave ', PASSWORD))?.id, created.id);
});

test('authenticate is undefined for an unknown user, a wrong password or a bad username', async (t) => {
  await service().create({ username: 'erin', password: PASSWORD });
  t.is(await service().authenticate('nobody', PASSWORD), undefined);
  t.is(await service().authenticate('erin', `${PASSWORD}!`), undefined);
  t.is(await service().authenticate('erin', ''), undefined);
  t.is(await service().authenticate('', PASSWORD), undefined);
  t.is(await service().authenticate('x'.repeat(10_000), PASSWORD), undefined);
});

// The cost of a sign-in is one argon2id verification at the current parameters whether or not the
// user exists: counted here, not timed (the hash parameters are checked by the password tests).
test.serial(
  'an unknown user costs exactly one password verification, like a wrong password',
  async (t) => {
    await service().create({ username: 'timing', password: PASSWORD });
    const verificationsOf = async (username: string, password: string) => {
      const before = passwordVerifications();
      await service().authenticate(username, password);
      return passwordVerifications() - before;
    };
    t.is(await verificationsOf('nobody-at-all', 'wrong password'), 1, 'unknown user');
    t.is(await verificationsOf('timing', 'wrong password'), 1, 'wrong password');
    t.is(await verificationsOf('timing', PASSWORD), 1, 'right password');
    t.is(await verificationsOf('bad name with spaces\n', PASSWORD), 1, 'malformed username');
  },
);

test('a disabled user cannot sign in, their artifacts are gone, and enabling restores sign-in', async (t) => {
  const user = await service().create({ username: 'frank', password: PASSWORD });
  const other = await service().create({ username: 'frank2', password: PASSWORD });
  const artifacts = database.db('oidc_artifacts');
  await artifacts.insert([
    { model: 'Session', id: 'fs', payload: JSON.stringify({ accountId: user.id }) },
    { model: 'Grant', id: 'fg', payload: JSON.stringify({ accountId: user.id }) },
    {
      model: 'RefreshToken',
      id: 'frt',
      grant_id: 'fg',
      payload: JSON.stringify({ accountId: user.id, grantId: 'fg' }),
    },
    { model: 'Grant', id: 'og', payload: JSON.stringify({ accountId: other.id }) },
  ]);
  const disabled = await service().disable('FRANK');
  t.true(disabled.disabledAt instanceof Date);
  t.is(await service().authenticate('frank', PASSWORD), undefined);
  t.true((await service().findById(user.id))?.disabledAt instanceof Date);
  const left = await database
    .db('oidc_artifacts')
    .whereIn('id', ['fs', 'fg', 'frt', 'og'])
    .pluck('id');
  t.deepEqual(left, ['og']);

  const enabled = await service().enable(user.id);
  t.is(enabled.disabledAt, null);
  t.is((await service().authenticate('frank', PASSWORD))?.id, user.id);
});

test('delete removes the user and their artifacts', async (t) => {
  const user = await service().create({ username: 'grace', password: PASSWORD });
  await database
    .db('oidc_artifacts')
    .insert({ model: 'Session', id: 'gs', payload: JSON.stringify({ accountId: user.id }) });
  const deleted = await service().delete('grace');
  t.is(deleted.id, user.id);
  t.false('passwordHash' in deleted);
  t.is(await service().findById(user.id), undefined);
  t.is(await database.db('oidc_artifacts').where({ id: 'gs' }).first(), undefined);
  t.is(await service().authenticate('grace', PASSWORD), undefined);
});

test('show, list and findById never expose the hash; show finds by id or username', async (t) => {
  const user = await service().create({ username: 'Heidi', password: PASSWORD });
  t.is((await service().show('heidi')).id, user.id);
  t.is((await service().show(user.id)).username, 'Heidi');
  const everyone = await service().list();
  t.true(everyone.some((u) => u.id === user.id));
  t.true(everyone.every((u) => !('passwordHash' in u)));
  t.false('passwordHash' in ((await service().findById(user.id)) ?? {}));
  t.is(await service().findById('heidi'), undefined, 'findById takes only ids');
});

test('every lookup of a missing user is not_found', async (t) => {
  const s = service();
  for (const attempt of [
    () => s.show('nobody'),
    () => s.setPassword('nobody', PASSWORD),
    () => s.disable('nobody'),
    () => s.enable('nobody'),
    () => s.delete('nobody'),
  ]) {
    const error = await t.throwsAsync(attempt());
    t.is(code(error), 'not_found');
    t.regex(error?.message ?? '', /no user with id or username "nobody"/);
  }
});

test('setPassword checks the policy, writes nothing on refusal, and replaces the password', async (t) => {
  const user = await service().create({ username: 'ivanivan', password: PASSWORD });
  const before = await storedHash(user.id);
  for (const [bad, why] of [
    ['short', /8 to 1024/],
    ['IVANIVAN', /not be the username/],
    ['x'.repeat(1025), /8 to 1024/],
  ] as const) {
    const error = await t.throwsAsync(service().setPassword('ivanivan', bad));
    t.is(code(error), 'invalid_input', bad);
    t.regex(error?.message ?? '', why);
  }
  t.is(await storedHash(user.id), before);
  await service().setPassword('IVANIVAN', 'a whole new password');
  t.is(await service().authenticate('ivanivan', PASSWORD), undefined);
  t.is((await service().authenticate('ivanivan', 'a whole new password'))?.id, user.id);
});

test('authenticate upgrades a hash made with older parameters', async (t) => {
  const user = await service().create({ username: 'judy', password: PASSWORD });
  const old = await hash(PASSWORD, { algorithm: 2, memoryCost: 8192, timeCost: 1 });
  await database.db('users').where({ id: user.id }).update({ password_hash: old });
  t.is((await service().authenticate('judy', PASSWORD))?.id, user.id);
  const upgraded = await storedHash(user.id);
  t.not(upgraded, old);
  t.false(needsRehash(upgraded));
  t.true(await verifyPassword(PASSWORD, upgraded));
  // A wrong password never rewrites anything.
  await database.db('users').where({ id: user.id }).update({ password_hash: old });
  t.is(await service().authenticate('judy', 'wrong password'), undefined);
  t.is(await storedHash(user.id), old);
});

const eventsAbout = async (subject: string) =>
  (await database.db('audit_events').where({ subject }).orderBy('id')).map((e) => ({
    type: e.type as string,
    actor: e.actor as string,
    details: e.details as Record<string, unknown>,
  }));

test('each change records its event, by the actor given, in its transaction', async (t) => {
  const actor = { actor: 'cli:operator' };
  const user = await service().create({ username: 'audited', password: PASSWORD }, actor);
  await service().setPassword('audited', `${PASSWORD}!`, actor);
  await service().disable(user.id, actor);
  await service().enable('AUDITED');
  await t.throwsAsync(service().setPassword('audited', 'short', actor));
  await service().delete('audited', actor);
  t.deepEqual(await eventsAbout(user.id), [
    { type: 'user.created', actor: 'cli:operator', details: { username: 'audited' } },
    {
      type: 'user.updated',
      actor: 'cli:operator',
      details: { username: 'audited', changed: ['password'] },
    },
    { type: 'user.disabled', actor: 'cli:operator', details: { username: 'audited' } },
    { type: 'user.enabled', actor: 'system', details: { username: 'audited' } },
    { type: 'user.deleted', actor: 'cli:operator', details: { username: 'audited' } },
  ]);
});

test('unlock clears the counted failures and records them, naming only a real user', async (t) => {
  const key = Buffer.alloc(32, 7);
  const user = await service().create({ username: 'locked-out', password: PASSWORD });
  await database.db('rate_limits').insert({
    key: signInFailuresKey(key, 'locked-out'),
    points: 4,
    expire: Date.now() + 60_000,
  });
  const unlocked = await service().unlock(' Locked-Out ', key, { actor: 'cli:operator' });
  t.is(unlocked.failures, 4);
  t.is(unlocked.user?.id, user.id);
  t.false('passwordHash' in (unlocked.user ?? {}));
  t.deepEqual((await eventsAbout(user.id)).at(-1), {
    type: 'user.unlocked',
    actor: 'cli:operator',
    details: { failures_cleared: 4, username: 'locked-out' },
  });
  t.deepEqual(await service().unlock('no-such-user', key), { failures: 0 });
});
