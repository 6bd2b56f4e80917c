import type { TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { HttpBrowser, inputValue, linkHref, type Stack, submitForm } from '../src/index.ts';
import { consoleSignedIn, startConsoleStack } from './console-fixtures.ts';

// The console's session over plain HTTP (issue 15): signing out ends on the console's own page
// (its client's post_logout_redirect_uri), not Portcullis's generic one.

let database: TestDatabase;
let stack: Stack;

test.before(async () => {
  ({ database, stack } = await startConsoleStack({ users: { ada: ['portcullis-admin'] } }));
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

test('signing out ends both sessions on the console\'s "You are signed out" page', async (t) => {
  const { browser, page } = await consoleSignedIn(stack, 'ada', '/admin/clients');
  const out = await browser.request(`${stack.issuer}/admin/sign-out`, {
    form: { csrf: inputValue(page, 'csrf') ?? '' },
  });
  t.is(out.status, 303);
  const endSession = new URL(out.headers.get('location') ?? '', stack.issuer);
  t.is(endSession.searchParams.get('post_logout_redirect_uri'), `${stack.issuer}/admin/signed-out`);
  // Portcullis asks to confirm, then sends the browser back to the console.
  const confirm = await browser.follow(endSession.href);
  t.is(confirm.response.status, 200);
  const { next } = await submitForm(browser, confirm, { logout: 'yes' }, 'op.logoutForm');
  t.is(new URL(next.url).pathname, '/admin/signed-out');
  t.is(next.response.status, 200);
  const signedOut = await next.response.text();
  t.regex(signedOut, /<h1>You are signed out<\/h1>/);
  t.is(linkHref(signedOut, /Sign in/), '/admin/sign-in');
  // Both sessions are over: the console sends to the sign-in, which asks for the password again.
  const again = await browser.follow(`${stack.issuer}/admin/clients`);
  t.regex(await again.response.text(), /name="password"/);
  // Another post-logout URI is refused for the console's client: no open redirect.
  const other = new URL(endSession);
  other.searchParams.set('post_logout_redirect_uri', 'https://evil.example/');
  const refused = await new HttpBrowser(stack.issuer).request(other.href);
  t.is(refused.status, 400);
});
