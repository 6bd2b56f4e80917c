import { signInFailuresKey } from '@portcullis/auth-server';
import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { inputValue, type Stack, startStack } from '../src/index.ts';

const PASSWORD = 'a-password-long-enough';
const LOGIN_FAILED = 'The username or password is not right.';

// Behind a trusted proxy: each request says where it comes from in X-Forwarded-For. 3 failed
// sign-ins per address a minute; per username, 2 an hour (windows far longer than any run, so
// that no lock depends on how fast the attempts go).
const HOUR_MS = 3_600_000;
let database: TestDatabase;
let stack: Stack;
test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url, {
    PORTCULLIS_TRUST_PROXY: 'true',
    PORTCULLIS_LIMIT_SIGNIN: '2/1h',
    PORTCULLIS_LIMIT_SIGNIN_ADDRESS: '3/1m',
  });
  // One user per test where a right password is expected: tests run at the same time, and a
  // username's own failure count (2 an hour) would otherwise add up across them.
  for (const username of ['hana', 'ivan', 'judy', 'kate', 'lena', 'mia']) {
    await stack.cli(['users', 'create', '--username', username, '--password-stdin'], PASSWORD);
  }
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

let lastAddress = 0;
/** A documentation address (RFC 5737) no other test uses. */
const newAddress = () => `203.0.113.${++lastAddress}`;

/** Signs in on the account page through "the proxy", from `address`. */
async function signIn(username: string, password: string, forwardedFor: string) {
  const headers = { 'x-forwarded-for': forwardedFor };
  const form = await fetch(`${stack.issuer}/account`, { headers });
  const cookie = form.headers
    .getSetCookie()
    .map((line) => line.split(';', 1)[0])
    .join('; ');
  const csrf = inputValue(await form.text(), 'csrf') as string;
  const response = await fetch(`${stack.issuer}/account/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, username, password }),
  });
  return { status: response.status, page: await response.text() };
}

test('per address: failures with any usernames lock sign-in from that address, and only from it', async (t) => {
  const address = newAddress();
  t.is((await signIn('hana', 'wrong-1', address)).status, 401);
  t.is((await signIn('ivan', 'wrong-2', address)).status, 401);
  t.is((await signIn('no-such-user', 'wrong-3', address)).status, 401);
  const locked = await signIn('judy', PASSWORD, address);
  t.is(locked.status, 401, 'a right password from a locked address');
  t.true(locked.page.includes(LOGIN_FAILED));
  t.is((await signIn('judy', PASSWORD, newAddress())).status, 303, 'from elsewhere: signed in');

  const hits = await createAuditRepository(database.db).list({ type: 'rate_limit.hit' });
  const hit = hits.find((e) => e.address === address);
  t.is(hit?.actor, 'system');
  t.like(hit?.details, { limit: 'signin', key: 'address', rule: '3/1m', via: 'account' });
});

test('deleting the counter lifts a sign-in lockout at once', async (t) => {
  const address = newAddress();
  for (let i = 0; i < 3; i += 1) t.is((await signIn(`gone-${i}`, 'wrong', address)).status, 401);
  t.is((await signIn('kate', PASSWORD, address)).status, 401, 'locked');
  await database.db('rate_limits').where('key', `signin-address:${address}`).delete();
  t.is((await signIn('kate', PASSWORD, address)).status, 303, 'signed in');
});

test('the address is the one the trusted proxy saw, whatever the client put first', async (t) => {
  const seen = newAddress();
  for (let i = 0; i < 3; i += 1) {
    t.is((await signIn(`user-${i}`, 'wrong', `192.0.2.${i}, ${seen}`)).status, 401);
  }
  t.is((await signIn('lena', PASSWORD, `192.0.2.77, ${seen}`)).status, 401, 'locked');
});

test('an account lockout lasts one window from the attempt that locked it, then ends', async (t) => {
  // Every attempt from an address of its own: only the account counts here.
  t.is((await signIn('mia', 'wrong', newAddress())).status, 401);
  t.is((await signIn('mia', 'wrong', newAddress())).status, 401);
  const before = Date.now();
  t.is((await signIn('mia', PASSWORD, newAddress())).status, 401, 'locked');
  const after = Date.now();
  const row = () =>
    database
      .db('rate_limits')
      .where('key', signInFailuresKey(stack.config.keyEncryptionKey, 'mia'));
  const expire = Number((await row().first('expire'))?.expire);
  t.true(
    expire >= before + HOUR_MS && expire <= after + HOUR_MS,
    'locked until one window after the locking attempt',
  );
  // The window passes: its end, brought forward in the counter, as an hour would bring it.
  await row().update({ expire: Date.now() - 1 });
  t.is((await signIn('mia', PASSWORD, newAddress())).status, 303, 'unlocked: signed in');
});
