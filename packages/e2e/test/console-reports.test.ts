import { createAuditRepository } from '@portcullis/storage';
import type { TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { HttpBrowser, inputValue, type Stack } from '../src/index.ts';
import {
  consoleSignedIn,
  CONSOLE_POLICY as POLICY,
  startConsoleStack,
} from './console-fixtures.ts';

// The console's read-mostly pages over plain HTTP (issue 15, item 3): the doctor's findings, the
// audit trail (filtered, paged, a refused filter next to its field) and a staged key rotation.
// Signed out they send to the sign-in; signed in they are no-store with the console's policy and
// show what the admin API answers; a role without the scope is refused clearly (403). The pages
// themselves are driven in Chromium by browser-console-reports.test.ts.

let database: TestDatabase;
let stack: Stack;

test.before(async () => {
  ({ database, stack } = await startConsoleStack({
    roles: {
      steward: 'urn:portcullis:admin admin:users',
      viewer: 'urn:portcullis:admin admin:read',
    },
    users: { ada: ['portcullis-admin'], stew: ['steward'], vera: ['viewer'] },
    clients: ['ledger'],
  }));
  await stack.cli(['clients', 'update', 'ledger', '--access-token-ttl', '3h']);
  // More failed sign-ins than a page of the trail shows, each naming its attempt.
  const audit = createAuditRepository(database.db);
  for (let attempt = 1; attempt <= 60; attempt += 1) {
    await audit.record({ type: 'signin.failed', actor: 'system', subject: `attempt-${attempt}` });
  }
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

const signedIn = (username: string, path: string) => consoleSignedIn(stack, username, path);

test('signed out: the doctor page sends to the sign-in', async (t) => {
  const answer = await new HttpBrowser(stack.issuer).request(`${stack.issuer}/admin/doctor`);
  t.is(answer.status, 303);
  t.is(answer.headers.get('location'), '/admin/sign-in?return=%2Fadmin%2Fdoctor');
  t.is(answer.headers.get('cache-control'), 'no-store');
  t.is(answer.headers.get('content-security-policy'), POLICY);
});

test("the doctor page: the API's findings, no-store, no script", async (t) => {
  const { response, url, page } = await signedIn('ada', '/admin/doctor');
  t.is(new URL(url).pathname, '/admin/doctor');
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'no-store');
  t.is(response.headers.get('content-security-policy'), POLICY);
  t.notRegex(page, /<script/i);
  t.regex(page, /0 errors, 1 warning, 0 notes/);
  t.regex(page, /access tokens live 3h/);
  t.regex(page, /portcullis clients update [\w-]+ --access-token-ttl 10m/);
  t.regex(page, /client-jwks-uri-unreachable/);
});

test('a role without admin:read: no doctor in the navigation, and a clear 403', async (t) => {
  const { browser } = await signedIn('stew', '/admin/clients');
  const answer = await browser.request(`${stack.issuer}/admin/doctor`);
  t.is(answer.status, 403);
  const page = await answer.text();
  t.regex(page, /<h1>Not allowed<\/h1>/);
  t.regex(page, /Your roles do not give you the admin scope/);
  t.notRegex(page, /href="\/admin\/doctor"/);
});

const rowsOf = (page: string) => [...page.matchAll(/<tr><td>\d{4}-.*?<\/tr>/g)].map((m) => m[0]);

test('the audit trail: the latest first, filtered by type, paged without gap or repeat', async (t) => {
  const { browser, response, page } = await signedIn('ada', '/admin/audit?type=signin.failed');
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'no-store');
  t.is(response.headers.get('content-security-policy'), POLICY);
  const first = rowsOf(page);
  t.is(first.length, 50);
  t.true(first.every((row) => row.includes('<code>signin.failed</code>')));
  t.regex(first[0] ?? '', />attempt-60</);
  t.regex(first[49] ?? '', />attempt-11</);
  const older = /<a href="(\/admin\/audit\?[^"]+)">Older events<\/a>/.exec(page)?.[1] ?? '';
  t.regex(older, /type=signin\.failed/, 'the filter kept');
  const next = await browser.request(`${stack.issuer}${older.replaceAll('&amp;', '&')}`);
  const second = await next.text();
  t.deepEqual(
    rowsOf(second).map((row) => /attempt-\d+/.exec(row)?.[0]),
    Array.from({ length: 10 }, (_, i) => `attempt-${10 - i}`),
  );
  t.notRegex(second, /Older events/);
});

test('the audit trail by client: its events only, with a link to it', async (t) => {
  const { client_id: id } = await stack.cli<{ client_id: string }>([
    'clients',
    'show',
    'ledger',
    '--json',
  ]);
  const { page } = await signedIn('ada', `/admin/audit?client=${id}`);
  const rows = rowsOf(page);
  t.deepEqual(
    rows.map((row) => /<code>(client\.\w+)<\/code>/.exec(row)?.[1]),
    ['client.updated', 'client.secret_added', 'client.created'],
  );
  t.true(rows.every((row) => row.includes(`href="/admin/clients/${id}"`)));
});

test("the audit trail: a refused filter is shown next to its field, in the API's words", async (t) => {
  const { browser } = await signedIn('ada', '/admin/audit');
  const since = await browser.request(`${stack.issuer}/admin/audit?since=yesterday`);
  t.is(since.status, 400);
  const page = await since.text();
  t.regex(page, /<p class="field-error" id="field-since-error">[^<]*since/);
  t.regex(page, /id="field-since" name="since" value="yesterday"[^>]*aria-invalid="true"/);
  const type = await browser.request(`${stack.issuer}/admin/audit?type=no.such`);
  t.is(type.status, 400);
  t.regex(await type.text(), /id="field-type-error"/);
  const cursor = await browser.request(`${stack.issuer}/admin/audit?cursor=forged`);
  t.is(cursor.status, 400);
  t.regex(await cursor.text(), /cursor is not one this API gave/);
  // A day as typed is a time to the API: the latest events, all of them since.
  const day = await browser.request(`${stack.issuer}/admin/audit?since=2000-01-01`);
  t.is(day.status, 200);
  t.is(rowsOf(await day.text()).length, 50);
});

test('signing keys: a staged rotation, its propagation checked by the API', async (t) => {
  const { browser, page } = await signedIn('ada', '/admin/keys');
  t.is((page.match(/<td>active<\/td>/g) ?? []).length, 2, 'ES256 and RS256');
  const csrf = inputValue(page, 'csrf') ?? '';
  const rotate = (form: Record<string, string>) =>
    browser.request(`${stack.issuer}/admin/keys/rotations`, { form });
  t.is((await rotate({ propagation: '15m' })).status, 403, 'no CSRF token: nothing done');
  const bad = await rotate({ csrf, propagation: 'soon' });
  t.is(bad.status, 400);
  const refusedForm = await bad.text();
  t.regex(refusedForm, /id="field-propagation-error">propagation: expected a duration/);
  t.regex(refusedForm, /name="propagation" value="soon"[^>]*aria-invalid="true"/);
  const staged = await rotate({ csrf, propagation: '15m' });
  t.is(staged.status, 303);
  t.is(staged.headers.get('location'), '/admin/keys');
  const after = await (await browser.request(`${stack.issuer}/admin/keys`)).text();
  t.is((after.match(/<td>next<\/td>/g) ?? []).length, 2);
  const keys = await stack.cli<Array<{ state: string }>>(['keys', 'list', '--json']);
  t.is(keys.filter((key) => key.state === 'next').length, 2);
  // A second one while these wait: the API's 409, shown as such.
  const again = await rotate({ csrf, propagation: '15m' });
  t.is(again.status, 409);
  t.regex(await again.text(), /<h1>Refused<\/h1>/);
});

test('signing keys with admin:read only: no rotation form, a 403 for a post', async (t) => {
  const { browser } = await signedIn('vera', '/admin/clients');
  const shown = await browser.request(`${stack.issuer}/admin/keys`);
  t.is(shown.status, 200);
  const page = await shown.text();
  t.regex(page, /<h1>Signing keys<\/h1>/);
  t.notRegex(page, /Stage a rotation/);
  const post = await browser.request(`${stack.issuer}/admin/keys/rotations`, {
    form: { csrf: inputValue(page, 'csrf') ?? '', propagation: '15m' },
  });
  t.is(post.status, 403);
  t.regex(await post.text(), /admin:keys/);
});
