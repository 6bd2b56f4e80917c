import { createArtifactsRepository, createAuditRepository } from '@portcullis/storage';
import type { TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { inputValue, type Stack } from '../src/index.ts';
import { consoleSignedIn, startConsoleStack } from './console-fixtures.ts';

// The console's searches and grants over plain HTTP (issue 15, item 3): clients, resources and
// users searched by the admin API's `q` (a page at a time, the search kept by "Next page"); the
// grants' page (GET /admin/v1/grants) searched, with Revoke (admin:write, CSRF); a user's grants
// paged by the API's cursor, and "Revoke all" after a confirmation, audited as the operator.
// Chromium drives them in browser-console-grants.test.ts.

let database: TestDatabase;
let stack: Stack;
const userIds: Record<string, string> = {};

test.before(async () => {
  ({ database, stack } = await startConsoleStack({
    roles: { viewer: 'urn:portcullis:admin admin:read' },
    users: { ada: ['portcullis-admin'], vera: ['viewer'], hugo: [], ines: [] },
    clients: ['ledger', 'Promo 50% off', 'Promo_east'],
  }));
  for (const name of ['hugo', 'ines']) {
    userIds[name] = (await database.db('users').where({ username: name }).first('id')).id;
  }
  const ledger = (await database.db('clients').where({ name: 'ledger' }).first('id')).id;
  // hugo gave the ledger more grants than a page shows (as oidc-provider stores them).
  const artifacts = createArtifactsRepository(database.db);
  for (let n = 0; n < 55; n += 1) {
    await artifacts.upsert(
      'Grant',
      `hugo-grant-${String(n).padStart(2, '0')}`,
      {
        kind: 'Grant',
        accountId: userIds.hugo,
        clientId: ledger,
        openid: { scope: 'openid' },
        iat: 1_800_000_000 + n,
      },
      3600,
    );
  }
  await artifacts.upsert(
    'Grant',
    'ines-grant',
    { kind: 'Grant', accountId: userIds.ines, clientId: ledger, iat: 1_700_000_000 },
    3600,
  );
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

const signedIn = (username: string, path: string) => consoleSignedIn(stack, username, path);
const cells = (page: string, href: string) =>
  [...page.matchAll(new RegExp(`<tr><td><a href="${href}[^"]+">([^<]+)</a>`, 'g'))].map(
    (m) => m[1],
  );
const nextOf = (page: string) =>
  /<p class="pager"><a href="([^"]+)">/.exec(page)?.[1]?.replaceAll('&amp;', '&');

test("searches are the API's: by name, username or identifier, % and _ taken literally", async (t) => {
  const { browser } = await signedIn('ada', '/admin/clients');
  const get = async (path: string) => (await browser.request(`${stack.issuer}${path}`)).text();
  t.deepEqual(cells(await get('/admin/clients?q=%25'), '/admin/clients/'), ['Promo 50% off']);
  t.deepEqual(cells(await get('/admin/clients?q=o_e'), '/admin/clients/'), ['Promo_east']);
  t.deepEqual(cells(await get('/admin/users?q=HUG'), '/admin/users/'), ['hugo']);
  const resources = await get('/admin/resources?q=ADMIN');
  t.deepEqual(cells(resources, '/admin/resources/'), ['Portcullis admin API']);
  t.regex(resources, /1 resource matches “ADMIN”/);
  t.regex(await get('/admin/resources?q=nothing-like-it'), /No resource matches this search/);
});

// Serial (run before the others): revoking all of hugo's grants below must wait for them.
test.serial(
  "a user's grants a page at a time by the API's cursor, the newest first, no gap or repeat",
  async (t) => {
    const { browser, page } = await signedIn('ada', `/admin/users/${userIds.hugo}`);
    const seen: string[] = [];
    let current = page;
    for (let pages = 0; pages < 5; pages += 1) {
      seen.push(
        ...[...current.matchAll(/grants\/(hugo-grant-\d+)\/revoke/g)].map((m) => m[1] ?? ''),
      );
      const older = /<a href="([^"]+)">Older grants<\/a>/
        .exec(current)?.[1]
        ?.replaceAll('&amp;', '&');
      if (!older) break;
      current = await (await browser.request(`${stack.issuer}${older}`)).text();
    }
    const expected = Array.from(
      { length: 55 },
      (_, n) => `hugo-grant-${String(54 - n).padStart(2, '0')}`,
    );
    t.deepEqual(seen, expected);
  },
);

test.serial(
  'the grants page: searched by app or username, paged with the search, revoked with CSRF',
  async (t) => {
    const { browser, page } = await signedIn('ada', '/admin/grants');
    t.regex(page, /<a href="\/admin\/grants" aria-current="page">Grants<\/a>/);
    const found = await (await browser.request(`${stack.issuer}/admin/grants?q=INES`)).text();
    t.regex(found, /1 grant matches “INES”/);
    t.regex(found, new RegExp(`<a href="/admin/users/${userIds.ines}">ines</a>`));
    const searched = await (await browser.request(`${stack.issuer}/admin/grants?q=ledger`)).text();
    const next = nextOf(searched) ?? '';
    t.regex(next, /^\/admin\/grants\?q=ledger&cursor=/, 'the next page keeps the search');
    const second = await (await browser.request(`${stack.issuer}${next}`)).text();
    t.regex(second, /ines-grant\/revoke/, 'the oldest grant on the second page');
    const action = '/admin/grants/ines-grant/revoke';
    const forged = await browser.request(`${stack.issuer}${action}`, { form: { csrf: 'forged' } });
    t.is(forged.status, 403);
    t.regex(await forged.text(), /Form refused/);
    const csrf = inputValue(found, 'csrf') ?? '';
    const done = await browser.request(`${stack.issuer}${action}`, { form: { csrf } });
    t.is(done.status, 303);
    t.is(done.headers.get('location'), '/admin/grants?done=revoked');
    const after = await (
      await browser.request(`${stack.issuer}/admin/grants?done=revoked&q=ines`)
    ).text();
    t.regex(after, /Grant revoked/);
    t.regex(after, /No grant matches this search/);
  },
);

test.serial(
  'with admin:read alone: grants listed by user id, no username, no revoke, no username search',
  async (t) => {
    const { browser, page } = await signedIn('vera', '/admin/grants');
    t.is((await browser.request(`${stack.issuer}/admin/grants`)).status, 200);
    t.regex(page, /<h1>Grants<\/h1>/);
    t.regex(page, new RegExp(`<code>${userIds.hugo}</code>`));
    t.notRegex(page, />hugo</);
    t.notRegex(page, /\/revoke"/);
    t.regex(page, /Search by app name or client ID/);
    const byName = await (await browser.request(`${stack.issuer}/admin/grants?q=hugo`)).text();
    t.regex(byName, /No grant matches this search/);
  },
);

test("revoke all of a user's grants: a confirmation, CSRF, audited as the operator", async (t) => {
  const { browser, page } = await signedIn('ada', `/admin/users/${userIds.hugo}`);
  const path = `/admin/users/${userIds.hugo}`;
  t.regex(page, new RegExp(`<a class="button danger" href="${path}/grants/revoke-all">`));
  const confirm = await browser.request(`${stack.issuer}${path}/grants/revoke-all`);
  t.is(confirm.status, 200);
  const question = await confirm.text();
  t.regex(question, /<h1>Revoke all of hugo's grants\?<\/h1>/);
  const forged = await browser.request(`${stack.issuer}${path}/grants/revoke-all`, {
    form: { csrf: 'forged' },
  });
  t.is(forged.status, 403);
  const grantsOfHugo = () =>
    database
      .db('oidc_artifacts')
      .where({ model: 'Grant' })
      .whereRaw(`payload->>'accountId' = ?`, [path.split('/').at(-1) ?? '']);
  t.is((await grantsOfHugo()).length, 55, 'nothing revoked');
  const csrf = inputValue(question, 'csrf') ?? '';
  const done = await browser.request(`${stack.issuer}${path}/grants/revoke-all`, {
    form: { csrf },
  });
  t.is(done.status, 303);
  t.is(done.headers.get('location'), `${path}?done=revoked-all`);
  const after = await (await browser.request(`${stack.issuer}${path}?done=revoked-all`)).text();
  t.regex(after, /All their grants revoked/);
  t.regex(after, /No grant\./);
  t.is((await grantsOfHugo()).length, 0);
  const ada = await database.db('users').where({ username: 'ada' }).first('id');
  const events = (
    await createAuditRepository(database.db).list({ type: 'consent.revoked' })
  ).filter((e) => e.subject === userIds.hugo);
  t.is(events.length, 55);
  t.true(events.every((e) => e.actor === `user:${ada.id}` && e.details.via === 'admin_api'));
});
