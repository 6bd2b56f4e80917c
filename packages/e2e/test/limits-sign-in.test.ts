import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { HttpBrowser, type Stack, startStack, submitForm } from '../src/index.ts';

const REDIRECT = 'http://127.0.0.1:8769/callback';
const PASSWORD = 'dave-has-a-long-password';
const WRONG = 'not-daves-password';
const LOGIN_FAILED = 'The username or password is not right.';

// 3 failed sign-ins per username a minute; the address limit is out of the way (every request of
// this file comes from 127.0.0.1, and the address limit has a file of its own).
let database: TestDatabase;
let stack: Stack;
let app: { client_id: string };
test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url, {
    PORTCULLIS_LIMIT_SIGNIN: '3/1m',
    PORTCULLIS_LIMIT_SIGNIN_ADDRESS: '1000/15m',
  });
  app = await stack.cli([
    'clients',
    'create',
    '--name',
    'Locked Out App',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    REDIRECT,
    '--resource',
    stack.api,
    '--scope',
    'openid notes:read',
    '--public',
  ]);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

async function createUser(username: string): Promise<string> {
  const user = await stack.cli<{ id: string }>(
    ['users', 'create', '--username', username, '--password-stdin'],
    `${PASSWORD}\n`,
  );
  return user.id;
}

/** Starts an authorization with openid-client and opens its login page in a new browser. */
async function openLoginPage() {
  const config = await client.discovery(
    new URL(stack.issuer),
    app.client_id,
    undefined,
    client.None(),
    {
      execute: [client.allowInsecureRequests],
    },
  );
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid notes:read',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  });
  const browser = new HttpBrowser(stack.issuer);
  return { browser, step: await browser.follow(url.href) };
}

type Step = Awaited<ReturnType<typeof openLoginPage>>['step'];

/** Submits the login form on `step`; returns the next step with its status and page. */
async function signIn(browser: HttpBrowser, step: Step, username: string, password: string) {
  const { next } = await submitForm(browser, step, { username, password });
  const page = await next.response.clone().text();
  return { next, status: next.response.status, page, left: next.left };
}

/** Signs in on the account page (its own form and session): the status and the page. */
async function accountSignIn(username: string, password: string) {
  const browser = new HttpBrowser(stack.issuer);
  const step = await browser.follow(`${stack.issuer}/account`);
  const { next } = await submitForm(browser, step, { username, password });
  return { status: next.response.status, page: await next.response.text(), url: next.url };
}

async function auditEvents(type: 'signin.failed' | 'rate_limit.hit' | 'signin.succeeded') {
  return createAuditRepository(database.db).list({ type, limit: 1000 });
}

test('lockout after the limit: a locked sign-in gets exactly the wrong-password answer, even with the right password', async (t) => {
  const userId = await createUser('dave');
  const { browser, step } = await openLoginPage();
  let current = step;
  const wrongAnswers: Array<{ status: number; page: string }> = [];
  for (let i = 0; i < 3; i += 1) {
    const attempt = await signIn(browser, current, 'dave', WRONG);
    wrongAnswers.push({ status: attempt.status, page: attempt.page });
    current = attempt.next;
  }
  t.is(wrongAnswers[0]?.status, 401);
  t.true(wrongAnswers[0]?.page.includes(LOGIN_FAILED));

  const locked = await signIn(browser, current, 'dave', PASSWORD);
  t.is(locked.status, 401, 'the right password while locked');
  t.is(locked.page, wrongAnswers[2]?.page ?? '', 'byte for byte the wrong-password page');
  t.is(locked.next.response.headers.get('retry-after'), null, 'nothing tells locked from wrong');
  t.is(locked.left, undefined, 'never sent back to the app');

  const other = await signIn(browser, locked.next, 'DAVE ', PASSWORD);
  t.is(other.status, 401, 'the same account in another case is the same account');

  const failed = (await auditEvents('signin.failed')).filter((e) => e.subject === userId);
  t.is(failed.length, 5, 'every refused attempt is still a failed sign-in');
  const hits = (await auditEvents('rate_limit.hit')).filter((e) => e.subject === userId);
  t.is(hits.length, 1, 'one event for the lockout');
  t.is(hits[0]?.actor, 'system');
  t.is(hits[0]?.clientId, app.client_id);
  t.like(hits[0]?.details, {
    limit: 'signin',
    key: 'account',
    rule: '3/1m',
    via: 'authorization',
    username: 'dave',
  });
  t.is((await auditEvents('signin.succeeded')).filter((e) => e.subject === userId).length, 0);
});

test('the account page shares the lockout: locked there by failures here, and the other way round', async (t) => {
  await createUser('erin');
  const { browser, step } = await openLoginPage();
  let current = step;
  for (let i = 0; i < 3; i += 1) current = (await signIn(browser, current, 'erin', WRONG)).next;
  const locked = await accountSignIn('erin', PASSWORD);
  t.is(locked.status, 401);
  t.true(locked.page.includes(LOGIN_FAILED));
  const hit = (await auditEvents('rate_limit.hit')).find((e) => e.details.username === 'erin');
  t.like(hit?.details, { via: 'account' }, 'recorded where the first attempt was refused');

  await createUser('frank');
  for (let i = 0; i < 3; i += 1) t.is((await accountSignIn('frank', WRONG)).status, 401);
  const { browser: second, step: page } = await openLoginPage();
  const refused = await signIn(second, page, 'frank', PASSWORD);
  t.is(refused.status, 401);
  t.true(refused.page.includes(LOGIN_FAILED));
});

test('a successful sign-in resets the account: failures before it do not add up with later ones', async (t) => {
  await createUser('grace');
  for (let i = 0; i < 2; i += 1) t.is((await accountSignIn('grace', WRONG)).status, 401);
  const success = await accountSignIn('grace', PASSWORD);
  t.is(success.status, 200, 'signed in (the account page after its 303)');
  t.true(success.page.includes('Apps with access to your account'));
  for (let i = 0; i < 2; i += 1) t.is((await accountSignIn('grace', WRONG)).status, 401);
  const again = await accountSignIn('grace', PASSWORD);
  t.is(again.status, 200, '2 + 2 failures with a success between never reach the limit of 3');
});

test('a username that is no account locks like one, so lockout tells nothing about who exists', async (t) => {
  const answers = [];
  for (let i = 0; i < 4; i += 1) answers.push(await accountSignIn('nobody-here', WRONG));
  t.deepEqual(
    answers.map((a) => a.status),
    [401, 401, 401, 401],
  );
  t.true(answers.every((a) => a.page.includes(LOGIN_FAILED)));
  const hit = (await auditEvents('rate_limit.hit')).find(
    (e) => e.details.key === 'account' && e.details.via === 'account' && e.subject === null,
  );
  t.truthy(hit, 'the lockout is recorded');
  t.false(JSON.stringify(hit).includes('nobody-here'), 'a name that is no user is not stored');
});

test('users unlock lifts a username lockout at once, for a user and for a name that is no user', async (t) => {
  const userId = await createUser('heidi');
  for (let i = 0; i < 3; i += 1) t.is((await accountSignIn('heidi', WRONG)).status, 401);
  t.is((await accountSignIn('heidi', PASSWORD)).status, 401, 'locked: the right password too');

  const unlocked = await stack.cli<{ username: string; user_id: string; failures_cleared: number }>(
    ['users', 'unlock', 'HEIDI '],
  );
  t.like(unlocked, { username: 'heidi', user_id: userId });
  t.true(unlocked.failures_cleared >= 3, `${unlocked.failures_cleared} failures cleared`);
  const success = await accountSignIn('heidi', PASSWORD);
  t.is(success.status, 200, 'signed in at once after the unlock');
  const events = await createAuditRepository(database.db).list({ type: 'user.unlocked' });
  const event = events.find((e) => e.subject === userId);
  t.like(event?.details, { username: 'heidi', failures_cleared: unlocked.failures_cleared });

  t.like(await stack.cli(['users', 'unlock', 'heidi']), { failures_cleared: 0 }, 'nothing left');

  for (let i = 0; i < 3; i += 1) await accountSignIn('no-such-person', WRONG);
  const stranger = await stack.cli<{ user_id: string | null; failures_cleared: number }>([
    'users',
    'unlock',
    'no-such-person',
  ]);
  t.is(stranger.user_id, null);
  t.true(stranger.failures_cleared >= 3);
  const recorded = (await createAuditRepository(database.db).list({ type: 'user.unlocked' })).find(
    (e) => e.subject === null,
  );
  t.false(
    JSON.stringify(recorded?.details).includes('no-such-person'),
    'a name that is no user is not stored',
  );
});
