import { randomBytes } from 'node:crypto';
import { createAuthServer, loadServerConfig, silentLogger } from '@portcullis/auth-server';
import { freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { HttpBrowser, inputValue, linkHref, type Stack, submitForm } from '../src/index.ts';
import {
  CONSOLE_PASSWORD as PASSWORD,
  CONSOLE_POLICY as POLICY,
  startConsoleStack,
} from './console-fixtures.ts';

// The admin console's routes over plain HTTP (issue 15, item 3): a signed-out request goes to
// the sign-in; every page is no-store with a policy allowing no script; a POST without the
// session's CSRF token changes nothing; the sign-in's checks, its open-redirect guard, a role
// with admin:read only; and what the server registers when the console is on (idempotently),
// including the second factor its client requires while MFA is available. The pages themselves
// are driven in Chromium by browser-console.test.ts.

let database: TestDatabase;
let stack: Stack;

test.before(async () => {
  ({ database, stack } = await startConsoleStack({
    roles: { viewer: 'urn:portcullis:admin admin:read' },
    users: { ada: ['portcullis-admin'], vera: ['viewer'] },
    clients: ['ledger'],
  }));
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

/** Signs `username` in through the console, starting at `path`; returns the browser and the page. */
async function signedIn(username: string, path = '/admin/clients') {
  const browser = new HttpBrowser(stack.issuer);
  const login = await browser.follow(`${stack.issuer}${path}`);
  const { next } = await submitForm(browser, login, { username, password: PASSWORD });
  return { browser, last: next, page: await next.response.text() };
}

test('signed out: a console page sends to the sign-in, which sends to the authorization endpoint', async (t) => {
  const browser = new HttpBrowser(stack.issuer);
  const page = await browser.request(`${stack.issuer}/admin/clients?q=led`);
  t.is(page.status, 303);
  t.is(page.headers.get('location'), '/admin/sign-in?return=%2Fadmin%2Fclients%3Fq%3Dled');
  t.is(page.headers.get('cache-control'), 'no-store');
  t.is(page.headers.get('content-security-policy'), POLICY);
  const signIn = await browser.request(`${stack.issuer}/admin/sign-in?return=%2Fadmin%2Fclients`);
  t.is(signIn.status, 303);
  const authorization = new URL(signIn.headers.get('location') ?? '', stack.issuer);
  t.is(authorization.origin, new URL(stack.issuer).origin);
  const cookie = signIn.headers.getSetCookie().join('\n');
  t.regex(
    cookie,
    /portcullis-console-sign-in=[A-Za-z0-9_-]{43}; path=\/admin; .*samesite=lax; httponly/i,
  );
  // A POST of a signed-out browser changes nothing, and says so, with a way back to its form.
  const post = await browser.request(`${stack.issuer}/admin/clients`, { form: { name: 'x' } });
  t.is(post.status, 403);
  const ended = await post.text();
  t.regex(ended, /Your session has ended/);
  t.is(linkHref(ended, /Sign in again/), '/admin/sign-in?return=%2Fadmin%2Fclients%2Fnew');
});

test('signed in: pages are no-store, allow no script, and never hold a token', async (t) => {
  const { browser, last, page } = await signedIn('ada');
  t.is(new URL(last.url).pathname, '/admin/clients');
  t.is(last.response.status, 200);
  t.is(last.response.headers.get('cache-control'), 'no-store');
  t.is(last.response.headers.get('content-security-policy'), POLICY);
  t.regex(page, /ledger/);
  t.notRegex(page, /<script/i);
  // No cookie the console set (or any page) carries a JWT: the token stays on the server.
  t.false(browser.cookiesSet.some((value) => value.startsWith('eyJ')));
  t.notRegex(page, /eyJ[A-Za-z0-9_-]{10,}\./);
  const css = await browser.request(`${stack.issuer}/admin/assets/console.css`);
  t.is(css.status, 200);
  t.regex(css.headers.get('content-type') ?? '', /text\/css/);
});

test('a POST without the session CSRF token, or with another session one, changes nothing', async (t) => {
  const ada = await signedIn('ada', '/admin/clients/ledger');
  // The ETag as the browser sends it back: the attribute's quotes decoded.
  const etag = (inputValue(ada.page, 'etag') ?? '').replaceAll('&quot;', '"');
  t.not(etag, '');
  const other = await signedIn('ada', '/admin/clients/ledger');
  const foreign = inputValue(other.page, 'csrf') ?? '';
  for (const csrf of [undefined, 'forged', foreign]) {
    const answer = await ada.browser.request(`${stack.issuer}/admin/clients/ledger/disable`, {
      form: { etag, ...(csrf === undefined ? {} : { csrf }) },
    });
    t.is(answer.status, 403, `csrf ${csrf}`);
    t.regex(await answer.text(), /Form refused/);
  }
  const shown = await stack.cli<{ disabled: boolean }>(['clients', 'show', 'ledger', '--json']);
  t.false(shown.disabled);
  // Not a form at all: refused as such, not a 500.
  const json = await fetch(`${stack.issuer}/admin/clients/ledger/disable`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: '' },
    body: '{}',
  });
  t.not(json.status, 500);
  // With its own token, the same form disables it: the API's audit names the operator.
  const done = await ada.browser.request(`${stack.issuer}/admin/clients/ledger/disable`, {
    form: { etag, csrf: inputValue(ada.page, 'csrf') ?? '' },
  });
  t.is(done.status, 303);
  const after = await stack.cli<{ disabled: boolean }>(['clients', 'show', 'ledger', '--json']);
  t.true(after.disabled);
  const events = await stack.cli<Array<{ type: string; actor: string }>>([
    'audit',
    'list',
    '--type',
    'client.disabled',
    '--json',
  ]);
  t.regex(events.at(-1)?.actor ?? '', /^user:/);
  // The same ETag again: someone (this operator) changed it meanwhile, 412, nothing done.
  const stale = await ada.browser.request(`${stack.issuer}/admin/clients/ledger/enable`, {
    form: { etag, csrf: inputValue(ada.page, 'csrf') ?? '' },
  });
  t.is(stale.status, 412);
  t.regex(await stale.text(), /Changed meanwhile/);
});

test('a role with admin:read only: pages to read, a clear 403 for changes', async (t) => {
  const vera = await signedIn('vera');
  t.is(vera.last.response.status, 200);
  t.notRegex(vera.page, /Register a client/);
  const form = await vera.browser.request(`${stack.issuer}/admin/clients/new`);
  t.is(form.status, 403);
  t.regex(await form.text(), /admin:write/);
});

test('the sign-in: an unknown callback, and a return path off the console, are refused', async (t) => {
  const browser = new HttpBrowser(stack.issuer);
  const callback = await browser.request(`${stack.issuer}/admin/callback?code=x&state=y`);
  t.is(callback.status, 400);
  t.regex(await callback.text(), /Sign-in not recognised/);
  for (const away of [
    'https://evil.example/',
    '//evil.example/admin',
    '/admin/v1/clients',
    '/account',
  ]) {
    const ada = new HttpBrowser(stack.issuer);
    const login = await ada.follow(
      `${stack.issuer}/admin/sign-in?return=${encodeURIComponent(away)}`,
    );
    const { next } = await submitForm(ada, login, { username: 'ada', password: PASSWORD });
    t.is(new URL(next.url).pathname, '/admin/clients', away);
  }
});

test('on: the admin scopes are role-gated, the role and the client registered once', async (t) => {
  const resource = await stack.cli<{ role_gated_scopes?: string[]; roleGatedScopes?: string[] }>([
    'resources',
    'show',
    'urn:portcullis:admin',
    '--json',
  ]);
  t.deepEqual([...(resource.role_gated_scopes ?? resource.roleGatedScopes ?? [])].sort(), [
    'admin:keys',
    'admin:read',
    'admin:users',
    'admin:write',
  ]);
  const clients = await stack.cli<
    Array<{ name: string; public: boolean; require_mfa: boolean; redirect_uris: string[] }>
  >(['clients', 'list', '--json']);
  const consoles = clients.filter((c) => c.name === 'Portcullis console');
  t.is(consoles.length, 1);
  t.true(consoles[0]?.public);
  t.false(consoles[0]?.require_mfa, 'MFA off: none to require');
  t.deepEqual(consoles[0]?.redirect_uris, [`${stack.issuer}/admin/callback`]);
  // A second server on the same database (MFA available now) registers nothing twice and makes
  // the console's client require a second factor.
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const env = {
    PORTCULLIS_PORT: String(port),
    PORTCULLIS_ISSUER: issuer,
    PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
    PORTCULLIS_KEY_ENCRYPTION_KEY: stack.config.keyEncryptionKey.toString('base64url'),
    PORTCULLIS_ADMIN_API: 'on',
    PORTCULLIS_ADMIN_CONSOLE: 'on',
  };
  const second = await createAuthServer({
    db: database.db,
    databaseUrl: database.url,
    config: loadServerConfig(env, { mode: 'development' }),
    environment: { env, dataDir: 'no-data' },
    logger: silentLogger,
  });
  t.teardown(() => second.close());
  await second.listen();
  const again = await stack.cli<
    Array<{ name: string; require_mfa: boolean; redirect_uris: string[] }>
  >(['clients', 'list', '--json']);
  const now = again.filter((c) => c.name === 'Portcullis console');
  t.is(now.length, 1);
  t.true(now[0]?.require_mfa);
  t.deepEqual(now[0]?.redirect_uris, [`${issuer}/admin/callback`]);
  // With MFA required by the client, ada's sign-in stops at setting up a second factor.
  const ada = new HttpBrowser(issuer);
  const login = await ada.follow(`${issuer}/admin/clients`);
  const { next } = await submitForm(ada, login, { username: 'ada', password: PASSWORD });
  t.not(new URL(next.url).pathname, '/admin/clients');
  t.regex(await next.response.text(), /authenticator app/i);
});
