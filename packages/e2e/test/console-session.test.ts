import { createHash } from 'node:crypto';
import type { TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { HttpBrowser, inputValue, linkHref, type Stack, submitForm } from '../src/index.ts';
import { consoleSignedIn, shortConsoleTokens, startConsoleStack } from './console-fixtures.ts';

// The console's session over plain HTTP (issue 15). Its access token lives 30 seconds here, less
// than the minute before expiry from which the console renews it: every request renews it, with
// no waiting. Each renewal rotates the refresh token; a refused refresh (grant revoked, user
// disabled) or a role taken away ends the session cleanly; a form sent after the session ended
// answers a page saying so, with a sign-in that comes back to the form's page; an idle session
// ends when its row expires (its expiry is the idle timeout, moved by each request). Signing out
// revokes the refresh token and ends on the console's own page (its client's
// post_logout_redirect_uri), not Portcullis's generic one.

let database: TestDatabase;
let stack: Stack;

test.before(async () => {
  ({ database, stack } = await startConsoleStack({
    users: {
      ada: ['portcullis-admin'],
      rob: ['portcullis-admin'],
      dan: ['portcullis-admin'],
      gia: ['portcullis-admin'],
      ida: ['portcullis-admin'],
      sol: ['portcullis-admin'],
    },
    clients: ['ledger'],
  }));
  // Every page renews the console's token: a revoked grant is seen at the next request.
  await shortConsoleTokens(stack);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

test('signing out ends both sessions on the console\'s "You are signed out" page', async (t) => {
  const { browser, page } = await consoleSignedIn(stack, 'sol', '/admin/clients');
  const before = await refreshTokensOf('sol');
  const out = await browser.request(`${stack.issuer}/admin/sign-out`, {
    form: { csrf: inputValue(page, 'csrf') ?? '' },
  });
  t.is(out.status, 303);
  // The refresh token is revoked with the session: nothing issued to it is left live.
  const after = await refreshTokensOf('sol');
  t.true(after.issued - after.used < before.issued - before.used);
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

/** The console's refresh tokens of `username`: how many were issued, and how many used up. */
async function refreshTokensOf(username: string) {
  const user = await stack.cli<{ id: string }>(['users', 'show', username, '--json']);
  const rows = await database
    .db('oidc_artifacts')
    .where({ model: 'RefreshToken' })
    .whereRaw(`payload->>'accountId' = ?`, [user.id])
    .select('consumed_at');
  return { issued: rows.length, used: rows.filter((r) => r.consumed_at !== null).length };
}

/** The console session rows of `browser` (by the digests of the cookie values it was set). */
function sessionRows(browser: HttpBrowser) {
  const digests = browser.cookiesSet.map((v) => createHash('sha256').update(v).digest('base64url'));
  return database
    .db('oidc_artifacts')
    .where({ model: 'AdminConsoleSession' })
    .whereIn('id', digests)
    .select('id', database.db.raw('extract(epoch from expires_at - now()) as left'));
}

test('each request renews the short-lived access token with a rotated refresh token', async (t) => {
  const { browser, response } = await consoleSignedIn(stack, 'ada', '/admin/clients');
  t.is(response.status, 200);
  const before = await refreshTokensOf('ada');
  t.is(before.issued - before.used, 1, 'one live refresh token');
  for (let request = 1; request <= 3; request += 1) {
    const page = await browser.request(`${stack.issuer}/admin/clients`);
    t.is(page.status, 200);
    t.regex(await page.text(), /ledger/, 'the renewed token reads the API');
  }
  const after = await refreshTokensOf('ada');
  t.is(after.used - before.used, 3, 'each renewal used up its refresh token');
  t.is(after.issued - after.used, 1, 'and got the next one');
});

test('a revoked grant ends the session at the next request; a form then says so', async (t) => {
  const { browser, page } = await consoleSignedIn(stack, 'gia', '/admin/clients/ledger');
  const etag = (inputValue(page, 'etag') ?? '').replaceAll('&quot;', '"');
  await stack.cli(['grants', 'revoke', '--user', 'gia']);
  const post = await browser.request(`${stack.issuer}/admin/clients/ledger/disable`, {
    form: { etag, csrf: inputValue(page, 'csrf') ?? '' },
  });
  t.is(post.status, 403);
  const ended = await post.text();
  t.regex(ended, /<h1>Your session has ended<\/h1>/);
  t.regex(ended, /nothing was changed/);
  const signIn = linkHref(ended, /Sign in again/) ?? '';
  t.is(signIn, '/admin/sign-in?return=%2Fadmin%2Fclients%2Fledger');
  const shown = await stack.cli<{ disabled: boolean }>(['clients', 'show', 'ledger', '--json']);
  t.false(shown.disabled, 'the form was not replayed');
  // The cookie is cleared and the session gone: signing in again returns to the form's page.
  t.deepEqual(await sessionRows(browser), []);
  // (Without the password: revoking grants leaves gia's Portcullis session.)
  const back = await browser.follow(`${stack.issuer}${signIn}`);
  t.is(new URL(back.url).pathname, '/admin/clients/ledger');
  t.is(back.response.status, 200);
});

test('a disabled user, or one whose role was taken away, is signed out at the next refresh', async (t) => {
  const dan = await consoleSignedIn(stack, 'dan', '/admin/clients');
  const rob = await consoleSignedIn(stack, 'rob', '/admin/clients');
  await stack.cli(['users', 'disable', 'dan']);
  await stack.cli(['users', 'remove-role', 'rob', 'portcullis-admin']);
  for (const { browser } of [dan, rob]) {
    const page = await browser.request(`${stack.issuer}/admin/clients`);
    t.is(page.status, 303);
    t.is(page.headers.get('location'), '/admin/sign-in?return=%2Fadmin%2Fclients');
    t.deepEqual(await sessionRows(browser), []);
  }
  // Nothing issued to rob's console session is left live.
  const robs = await refreshTokensOf('rob');
  t.is(robs.issued, robs.used);
});

test('a session idle past its timeout is over; each request moves its end', async (t) => {
  const { browser } = await consoleSignedIn(stack, 'ida', '/admin/clients');
  const [row] = await sessionRows(browser);
  // The default idle timeout, 30 minutes, from this request on.
  t.true(Number(row?.left) > 1700 && Number(row?.left) <= 1800, String(row?.left));
  // Its end comes (as the idle timeout passing would make it come): over.
  await database
    .db('oidc_artifacts')
    .where({ model: 'AdminConsoleSession', id: row?.id })
    .update({ expires_at: database.db.raw(`now() - interval '1 second'`) });
  const page = await browser.request(`${stack.issuer}/admin/keys`);
  t.is(page.status, 303);
  t.is(page.headers.get('location'), '/admin/sign-in?return=%2Fadmin%2Fkeys');
});
