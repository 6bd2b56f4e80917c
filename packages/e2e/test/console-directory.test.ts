import { createResourcesRepository } from '@portcullis/storage';
import type { TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { HttpBrowser, inputValue, type Stack } from '../src/index.ts';
import {
  consoleSignedIn,
  CONSOLE_POLICY as POLICY,
  startConsoleStack,
} from './console-fixtures.ts';

// The console's directory pages over plain HTTP (issue 15, item 3): the API resources (paged by
// the API's cursor), a resource's page (its scopes, the clients allowed it), the users (listed,
// searched; disable, enable and unlock with CSRF and If-Match, admin:users only). Signed out they
// send to the sign-in; signed in they are no-store with the console's policy and show what the
// admin API answers; a role without the scope is refused clearly (403). Chromium drives them in
// browser-console-directory.test.ts.

const NOTES = 'https://notes.example';
let database: TestDatabase;
let stack: Stack;

test.before(async () => {
  ({ database, stack } = await startConsoleStack({
    roles: {
      steward: 'urn:portcullis:admin admin:users',
      viewer: 'urn:portcullis:admin admin:read',
    },
    users: {
      ada: ['portcullis-admin'],
      stew: ['steward'],
      vera: ['viewer'],
      yann: [],
      zoe: [],
      gil: ['steward'],
    },
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

const etagOf = (page: string) => (inputValue(page, 'etag') ?? '').replaceAll('&quot;', '"');

test('the users: listed, searched, a user with their roles (admin:users)', async (t) => {
  const { browser, response, page } = await signedIn('stew', '/admin/users');
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'no-store');
  t.is(response.headers.get('content-security-policy'), POLICY);
  t.regex(page, /<a href="\/admin\/users" aria-current="page">Users<\/a>/);
  for (const name of ['ada', 'stew', 'vera', 'zoe']) t.regex(page, new RegExp(`>${name}</a>`));
  const found = await browser.request(`${stack.issuer}/admin/users?q=VER`);
  const results = await found.text();
  t.regex(results, /1 user matches “VER”/);
  t.regex(results, />vera<\/a>/);
  t.notRegex(results, />zoe<\/a>/);
  const link = /<a href="(\/admin\/users\/[^"]+)">vera<\/a>/.exec(results)?.[1] ?? '';
  const shown = await browser.request(`${stack.issuer}${link}`);
  t.is(shown.status, 200);
  const user = await shown.text();
  t.regex(user, /<h1>vera<\/h1>/);
  t.regex(user, /<dt>Roles<\/dt><dd>viewer<\/dd>/);
  t.regex(user, /<span class="badge">enabled<\/span>/);
});

test('disable and enable a user: CSRF required, the ETag checked (412 when stale)', async (t) => {
  const { browser } = await signedIn('ada', '/admin/users?q=yann');
  const list = await (await browser.request(`${stack.issuer}/admin/users?q=yann`)).text();
  const path = /<a href="(\/admin\/users\/[^"]+)">yann<\/a>/.exec(list)?.[1] ?? '';
  const page = await (await browser.request(`${stack.issuer}${path}`)).text();
  const etag = etagOf(page);
  const csrf = inputValue(page, 'csrf') ?? '';
  for (const token of [undefined, 'forged']) {
    const answer = await browser.request(`${stack.issuer}${path}/disable`, {
      form: { etag, ...(token === undefined ? {} : { csrf: token }) },
    });
    t.is(answer.status, 403, `csrf ${token}`);
    t.regex(await answer.text(), /Form refused/);
  }
  const still = await (await browser.request(`${stack.issuer}${path}`)).text();
  t.regex(still, /<span class="badge">enabled<\/span>/);
  const done = await browser.request(`${stack.issuer}${path}/disable`, { form: { etag, csrf } });
  t.is(done.status, 303);
  t.is(done.headers.get('location'), `${path}?done=disabled`);
  const disabled = await (await browser.request(`${stack.issuer}${path}?done=disabled`)).text();
  t.regex(disabled, /User disabled/);
  // A `done` the page has no sentence for shows none, an object's own keys included.
  for (const name of ['constructor', '__proto__', 'toString', 'nonsense']) {
    const odd = await browser.request(`${stack.issuer}${path}?done=${name}`);
    t.is(odd.status, 200, name);
    t.notRegex(await odd.text(), /role="status"/, name);
  }
  t.regex(disabled, /<span class="badge off">disabled<\/span> since \d{4}-\d{2}-\d{2} /);
  // The page's ETag is stale now: enabling with it changes nothing.
  const stale = await browser.request(`${stack.issuer}${path}/enable`, { form: { etag, csrf } });
  t.is(stale.status, 412);
  t.regex(await stale.text(), /Changed meanwhile/);
  const fresh = etagOf(disabled);
  const enabled = await browser.request(`${stack.issuer}${path}/enable`, {
    form: { etag: fresh, csrf },
  });
  t.is(enabled.status, 303);
  t.regex(await (await browser.request(`${stack.issuer}${path}`)).text(), /badge">enabled/);
  const unlocked = await browser.request(`${stack.issuer}${path}/unlock`, { form: { csrf } });
  t.is(unlocked.status, 303);
  t.is(unlocked.headers.get('location'), `${path}?done=unlocked`);
});

test('a role without admin:users: no users in the navigation, a clear 403, no change', async (t) => {
  const { browser, page } = await signedIn('vera', '/admin/clients');
  t.notRegex(page, /href="\/admin\/users"/);
  const listed = await browser.request(`${stack.issuer}/admin/users`);
  t.is(listed.status, 403);
  t.regex(await listed.text(), /<h1>Not allowed<\/h1>/);
  const csrf = inputValue(page, 'csrf') ?? '';
  const posted = await browser.request(`${stack.issuer}/admin/users/zoe/disable`, {
    form: { etag: '"x"', csrf },
  });
  t.is(posted.status, 403);
  const ada = await signedIn('ada', '/admin/users?q=zoe');
  t.regex(ada.page, /badge">enabled/);
});

test("a user's grants on their page, revoked with CSRF (admin:write)", async (t) => {
  // gil's console sign-in is a grant to the console's client.
  const gil = await signedIn('gil', '/admin/users?q=gil');
  const path = /<a href="(\/admin\/users\/[^"]+)">gil<\/a>/.exec(gil.page)?.[1] ?? '';
  const own = await (await gil.browser.request(`${stack.issuer}${path}`)).text();
  t.regex(own, /<h2>Grants<\/h2>/);
  t.regex(own, /Portcullis console/);
  t.notRegex(own, /\/revoke"/, 'admin:users without admin:write: no revoke button');
  const ada = await signedIn('ada', path);
  const action = /action="(\/admin\/users\/[^"]+\/grants\/[^"]+\/revoke)"/.exec(ada.page)?.[1];
  t.truthy(action);
  const refusedPost = await ada.browser.request(`${stack.issuer}${action}`, {
    form: { csrf: 'forged' },
  });
  t.is(refusedPost.status, 403);
  t.regex(await refusedPost.text(), /Form refused/);
  const csrf = inputValue(ada.page, 'csrf') ?? '';
  const done = await ada.browser.request(`${stack.issuer}${action}`, { form: { csrf } });
  t.is(done.status, 303);
  t.is(done.headers.get('location'), `${path}?done=revoked`);
  const after = await (await ada.browser.request(`${stack.issuer}${path}?done=revoked`)).text();
  t.regex(after, /Grant revoked/);
  t.false(after.includes(`action="${action}"`));
});
