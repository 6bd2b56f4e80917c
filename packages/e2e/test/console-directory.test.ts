import { createResourcesRepository } from '@portcullis/storage';
import type { TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { HttpBrowser, type Stack } from '../src/index.ts';
import {
  consoleSignedIn,
  CONSOLE_POLICY as POLICY,
  startConsoleStack,
} from './console-fixtures.ts';

// The console's directory pages over plain HTTP (issue 15, item 3): the API resources (paged by
// the API's cursor) and a resource's page (its scopes, the clients allowed it). Signed out they
// send to the sign-in; signed in they are no-store with the console's policy and show what the
// admin API answers; a role without the scope is refused clearly (403). Chromium drives them in
// browser-console-directory.test.ts.

const NOTES = 'https://notes.example';
let database: TestDatabase;
let stack: Stack;

test.before(async () => {
  ({ database, stack } = await startConsoleStack({
    roles: { steward: 'urn:portcullis:admin admin:users' },
    users: { ada: ['portcullis-admin'], stew: ['steward'] },
    clients: ['ledger'],
  }));
  await stack.cli([
    'resources',
    'create',
    '--identifier',
    NOTES,
    '--name',
    'Notes <API>',
    '--scope',
    'notes:read=Read your notes',
    '--scope',
    'notes:write=Write your notes',
    '--format',
    'opaque',
  ]);
  await stack.cli(['clients', 'update', 'ledger', '--resource', NOTES, '--scope', 'notes:read']);
  // More resources than a page shows, in the repository as the CLI would register them.
  const resources = createResourcesRepository(database.db);
  for (let n = 10; n < 70; n += 1) {
    await resources.create({
      identifier: `https://api-${n}.example`,
      name: `API ${n}`,
      scopes: [{ name: `api${n}:read`, description: 'Read' }],
    });
  }
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

const signedIn = (username: string, path: string) => consoleSignedIn(stack, username, path);

test('signed out: the resources page sends to the sign-in', async (t) => {
  const answer = await new HttpBrowser(stack.issuer).request(`${stack.issuer}/admin/resources`);
  t.is(answer.status, 303);
  t.is(answer.headers.get('location'), '/admin/sign-in?return=%2Fadmin%2Fresources');
  t.is(answer.headers.get('cache-control'), 'no-store');
  t.is(answer.headers.get('content-security-policy'), POLICY);
});

const namesOf = (page: string) =>
  [...page.matchAll(/<tr><td><a href="\/admin\/resources\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);

test('the resources, a page at a time by the API cursor, without gap or repeat', async (t) => {
  const { browser, response, url, page } = await signedIn('ada', '/admin/resources');
  t.is(new URL(url).pathname, '/admin/resources');
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'no-store');
  t.is(response.headers.get('content-security-policy'), POLICY);
  t.notRegex(page, /<script/i);
  t.regex(page, /<a href="\/admin\/resources" aria-current="page">Resources<\/a>/);
  const first = namesOf(page);
  t.is(first.length, 50);
  const next = /<a href="(\/admin\/resources\?cursor=[^"]+)">Next page<\/a>/.exec(page)?.[1];
  t.truthy(next);
  const second = await browser.request(`${stack.issuer}${(next ?? '').replaceAll('&amp;', '&')}`);
  t.is(second.status, 200);
  const rest = namesOf(await second.text());
  const all = [...first, ...rest];
  // Every registered resource: the 60 above, the notes API and those the server registers.
  const rows = await database.db('resources').count<{ count: string }[]>('* as count');
  t.is(all.length, Number(rows[0]?.count));
  t.true(all.length > 61);
  t.is(new Set(all).size, all.length);
  t.true(all.includes('API 10') && all.includes('API 69') && all.includes('Notes &lt;API&gt;'));
});

test("a resource's page: its scopes, the clients allowed it", async (t) => {
  const path = `/admin/resources/${encodeURIComponent(NOTES)}`;
  const { response, page } = await signedIn('ada', path);
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'no-store');
  t.is(response.headers.get('content-security-policy'), POLICY);
  t.regex(page, /<h1>Notes &lt;API&gt;<\/h1>/);
  t.regex(page, /<code>https:\/\/notes\.example<\/code>/);
  t.regex(page, /opaque, valid 600 seconds/);
  t.regex(page, /<tr><td><code>notes:read<\/code><\/td><td>Read your notes<\/td>/);
  t.regex(page, /<tr><td><code>notes:write<\/code><\/td><td>Write your notes<\/td>/);
  t.regex(page, /<li><a href="\/admin\/clients\/[\w-]+">ledger<\/a>/);
});

test('an unknown resource: a clear 404 page, a bad cursor: a clear 400', async (t) => {
  const { browser } = await signedIn('ada', '/admin/resources');
  const missing = await browser.request(
    `${stack.issuer}/admin/resources/${encodeURIComponent('https://nowhere.example')}`,
  );
  t.is(missing.status, 404);
  t.regex(await missing.text(), /<h1>[^<]+<\/h1>/);
  const bad = await browser.request(`${stack.issuer}/admin/resources?cursor=nonsense`);
  t.is(bad.status, 400);
  t.regex(await bad.text(), /cursor is not one this API gave/);
});

test('a role without admin:read: no resources in the navigation, and a clear 403', async (t) => {
  const { browser } = await signedIn('stew', '/admin/clients');
  for (const path of ['/admin/resources', `/admin/resources/${encodeURIComponent(NOTES)}`]) {
    const answer = await browser.request(`${stack.issuer}${path}`);
    t.is(answer.status, 403, path);
    const page = await answer.text();
    t.regex(page, /<h1>Not allowed<\/h1>/);
    t.notRegex(page, /href="\/admin\/resources"/);
  }
});
