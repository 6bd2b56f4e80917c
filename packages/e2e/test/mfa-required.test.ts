import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import {
  continueLink,
  createCodeClient,
  HttpBrowser,
  msUntilMidStep,
  type Stack,
  shownSeed,
  startSignIn,
  startStack,
  submitForm,
  totpCode,
} from '../src/index.ts';

// PORTCULLIS_MFA=required: a user without a second factor sets one up at the next sign-in,
// before going on, wherever they sign in.

const REDIRECT = 'http://127.0.0.1:8772/callback';
const PASSWORD = 'a-long-enough-password';

let database: TestDatabase;
let stack: Stack;
let app: { client_id: string; client_secret: string };
test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url, { PORTCULLIS_MFA: 'required' });
  app = await createCodeClient(stack, 'Any App', REDIRECT, 'openid', ['--first-party']);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

const createUser = (username: string) =>
  stack.cli(['users', 'create', '--username', username, '--password-stdin'], `${PASSWORD}\n`);

test('an app sign-in: the password, then setting up an app, then the app gets amr pwd+otp', async (t) => {
  await createUser('nina');
  const browser = new HttpBrowser(stack.issuer);
  const { first, redeem } = await startSignIn(browser, stack.issuer, app, REDIRECT);
  await sleep(msUntilMidStep());
  const setup = await submitForm(browser, first, { username: 'nina', password: PASSWORD });
  const page = await setup.next.response.clone().text();
  t.regex(page, /Set up an authenticator app/);
  t.notRegex(page, /Not now/, 'no way around it');
  // A wrong first code: the same page again, nothing turned on.
  const wrong = await submitForm(browser, setup.next, { code: totpCode(shownSeed(page), 3) });
  t.is(wrong.next.response.status, 401);
  t.deepEqual(
    (await stack.cli<{ factors: unknown[] }>(['users', 'mfa', 'show', 'nina'])).factors,
    [],
  );
  const done = await submitForm(browser, wrong.next, { code: totpCode(shownSeed(page)) });
  const back = await browser.follow(continueLink(await done.next.response.text(), stack.issuer));
  t.deepEqual((await redeem(back)).amr, ['pwd', 'otp']);
  const events = await stack.cli<{ type: string }[]>(['audit', 'list', '--type', 'mfa.enrolled']);
  t.is(events.length, 1);
});

test('/account: a user without an app is taken to its setup, and cannot skip it', async (t) => {
  await createUser('omar');
  const browser = new HttpBrowser(stack.issuer);
  const login = await browser.follow(`${stack.issuer}/account`);
  const { next } = await submitForm(browser, login, { username: 'omar', password: PASSWORD });
  t.is(new URL(next.url).pathname, '/account/mfa');
  t.regex(await next.response.text(), /Set up an authenticator app/);
  const account = await browser.request(`${stack.issuer}/account`);
  t.is(account.status, 303);
  t.is(account.headers.get('location'), '/account/mfa');
});
