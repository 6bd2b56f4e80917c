import { createMfaService } from '@portcullis/auth-server';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import {
  createCodeClient,
  HttpBrowser,
  type Stack,
  startSignIn,
  startStack,
  submitForm,
  totpCode,
} from '../src/index.ts';

// PORTCULLIS_MFA=off: no code step and no setup, even for a user who has an app and a request
// that asks for the mfa acr; the app is kept, unused.

const REDIRECT = 'http://127.0.0.1:8775/callback';
const PASSWORD = 'a-long-enough-password';

let database: TestDatabase;
let stack: Stack;
let app: { client_id: string; client_secret: string };
test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url, { PORTCULLIS_MFA: 'off' });
  app = await createCodeClient(stack, 'Any App', REDIRECT, 'openid', [
    '--first-party',
    '--require-mfa',
  ]);
  const user = await stack.cli<{ id: string; username: string }>(
    ['users', 'create', '--username', 'olga', '--password-stdin'],
    `${PASSWORD}\n`,
  );
  const mfa = createMfaService({
    db: database.db,
    keyEncryptionKey: stack.config.keyEncryptionKey,
    issuer: 'test',
  });
  const { secret } = await mfa.pendingTotp(user);
  await mfa.confirmTotp(user, totpCode(secret));
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

test('the password alone signs in, whatever the client or acr_values ask; amr pwd', async (t) => {
  const browser = new HttpBrowser(stack.issuer);
  const { first, redeem } = await startSignIn(browser, stack.issuer, app, REDIRECT, {
    acr_values: 'urn:portcullis:acr:mfa',
  });
  const { next } = await submitForm(browser, first, { username: 'olga', password: PASSWORD });
  t.truthy(next.left, 'straight back to the app');
  const claims = await redeem(next);
  t.deepEqual(claims.amr, ['pwd']);
  t.is(claims.acr, 'urn:portcullis:acr:pwd');
  const shown = await stack.cli<{ factors: unknown[] }>(['users', 'mfa', 'show', 'olga']);
  t.is(shown.factors.length, 1, 'the app is kept');
});

test('/account: no second-factor section, and its setup page is not served', async (t) => {
  const browser = new HttpBrowser(stack.issuer);
  const login = await browser.follow(`${stack.issuer}/account`);
  const { next } = await submitForm(browser, login, { username: 'olga', password: PASSWORD });
  const page = await next.response.text();
  t.regex(page, /Signed in as/);
  t.notRegex(page, /Two-step sign-in/);
  const setup = await browser.request(`${stack.issuer}/account/mfa`);
  t.is(setup.status, 303);
  t.is(setup.headers.get('location'), '/account');
});
