import type { TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { capturedLog, HttpBrowser, inputValue, type Stack } from '../src/index.ts';
import {
  consoleSignedIn,
  CONSOLE_POLICY as POLICY,
  startConsoleStack,
} from './console-fixtures.ts';

// The console's forms for API resources and users over plain HTTP (issue 15, item 3): register,
// edit and delete (after a confirmation) a resource with admin:write; create a user, change
// their address, set a password, give and take a role, delete them with admin:users. Every POST
// needs the session's CSRF token (without it: 403, nothing changed); every change sends the
// page's ETag (stale: 412, nothing changed); the API's refusals are shown next to their field; a
// password is never in a page or in the log. Chromium drives them in browser-console-forms.

const BOOKS = 'https://books.example';
const log = capturedLog();
let database: TestDatabase;
let stack: Stack;

test.before(async () => {
  ({ database, stack } = await startConsoleStack(
    {
      roles: {
        steward: 'urn:portcullis:admin admin:users',
        viewer: 'urn:portcullis:admin admin:read',
      },
      users: { ada: ['portcullis-admin'], stew: ['steward'], vera: ['viewer'] },
      clients: ['ledger'],
    },
    {},
    { logger: log.logger },
  ));
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

const signedIn = (username: string, path: string) => consoleSignedIn(stack, username, path);
const etagOf = (page: string) => (inputValue(page, 'etag') ?? '').replaceAll('&quot;', '"');
const fieldError = (page: string, field: string) =>
  new RegExp(`<p class="field-error" id="field-${field}-error">([^<]+)</p>`).exec(page)?.[1];

type ResourceShown = {
  name: string;
  access_token_ttl: number;
  scopes: Array<{ name: string; description: string }>;
  role_gated_scopes: string[];
};
const resourceNamed = (identifier: string) =>
  stack.cli<ResourceShown>(['resources', 'show', identifier]);

async function createResource(identifier: string, name: string): Promise<void> {
  await stack.cli([
    'resources',
    'create',
    '--identifier',
    identifier,
    '--name',
    name,
    '--scope',
    'a:read=Read',
  ]);
}

test('register a resource: a refusal next to its field, then registered', async (t) => {
  const { browser, response, page } = await signedIn('ada', '/admin/resources/new');
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'no-store');
  t.is(response.headers.get('content-security-policy'), POLICY);
  t.notRegex(page, /<script/i);
  const csrf = inputValue(page, 'csrf') ?? '';
  const form = {
    csrf,
    identifier: '/books',
    name: 'Books',
    scopes: 'books:read=Read your books\r\nbooks:write=Change your books',
    access_token_ttl: '15m',
    access_token_format: 'opaque',
    role_gated_scopes: 'books:write',
  };
  const refused = await browser.request(`${stack.issuer}/admin/resources`, { form });
  t.is(refused.status, 400);
  const again = await refused.text();
  t.is(fieldError(again, 'identifier'), 'resource &quot;/books&quot; is not an absolute URI');
  t.regex(
    again,
    /id="field-identifier" name="identifier" value="\/books"[^>]* aria-invalid="true"/,
  );
  t.regex(again, /<a href="#field-identifier">Identifier<\/a>/);
  t.regex(again, /value="Books"/, 'what was typed is kept');
  const noDescription = await browser.request(`${stack.issuer}/admin/resources`, {
    form: { ...form, identifier: BOOKS, scopes: 'books:read' },
  });
  t.is(noDescription.status, 400);
  t.is(
    fieldError(await noDescription.text(), 'scopes'),
    'scope &quot;books:read&quot; needs a description',
  );
  const done = await browser.request(`${stack.issuer}/admin/resources`, {
    form: { ...form, identifier: BOOKS },
  });
  t.is(done.status, 303);
  const location = done.headers.get('location') ?? '';
  t.is(location, `/admin/resources/${encodeURIComponent(BOOKS)}?done=created`);
  const shown = await (await browser.request(`${stack.issuer}${location}`)).text();
  t.regex(shown, /Resource registered\./);
  t.regex(shown, /opaque, valid 900 seconds/);
  const stored = await resourceNamed(BOOKS);
  t.deepEqual(stored.role_gated_scopes, ['books:write']);
  t.deepEqual(
    stored.scopes.map((s) => s.name),
    ['books:read', 'books:write'],
  );
});

test('a resource form without its CSRF token, or with a forged one: 403, nothing registered', async (t) => {
  const { browser } = await signedIn('ada', '/admin/resources/new');
  for (const csrf of [undefined, 'forged']) {
    const answer = await browser.request(`${stack.issuer}/admin/resources`, {
      form: { ...(csrf ? { csrf } : {}), identifier: 'https://forged.example', name: 'Forged' },
    });
    t.is(answer.status, 403);
    t.regex(await answer.text(), /Form refused/);
  }
  await t.throwsAsync(resourceNamed('https://forged.example'), { message: /no resource/ });
});

test('edit a resource: scopes, gating and lifetime changed; a refusal by its field; stale: 412', async (t) => {
  const identifier = 'https://edit.example';
  await createResource(identifier, 'Edit me');
  const path = `/admin/resources/${encodeURIComponent(identifier)}`;
  const { browser, page } = await signedIn('ada', `${path}/edit`);
  t.regex(page, /<h1>Edit Edit me<\/h1>/);
  t.regex(page, />a:read=Read<\/textarea>/);
  const csrf = inputValue(page, 'csrf') ?? '';
  const etag = etagOf(page);
  const base = {
    csrf,
    etag,
    name: 'Edited',
    scopes: 'b:write=Write',
    access_token_ttl: '600',
    access_token_format: 'jwt',
    role_gated_scopes: '',
  };
  const bad = await browser.request(`${stack.issuer}${path}`, {
    form: { ...base, access_token_ttl: '3d' },
  });
  t.is(bad.status, 400);
  t.regex(fieldError(await bad.text(), 'access-token-ttl') ?? '', /must be from 1 second to 1 day/);
  const ungated = await browser.request(`${stack.issuer}${path}`, {
    form: { ...base, role_gated_scopes: 'c:none' },
  });
  t.is(ungated.status, 400);
  t.is(
    fieldError(await ungated.text(), 'role-gated-scopes'),
    'the resource has no scope &quot;c:none&quot;',
  );
  t.is((await resourceNamed(identifier)).name, 'Edit me', 'nothing saved by a refusal');
  const saved = await browser.request(`${stack.issuer}${path}`, {
    form: { ...base, role_gated_scopes: 'b:write', access_token_ttl: '5m' },
  });
  t.is(saved.status, 303);
  t.is(saved.headers.get('location'), `${path}?done=saved`);
  const stored = await resourceNamed(identifier);
  t.is(stored.name, 'Edited');
  t.is(stored.access_token_ttl, 300);
  t.deepEqual(stored.scopes, [{ name: 'b:write', description: 'Write' }]);
  t.deepEqual(stored.role_gated_scopes, ['b:write']);
  // The form's ETag is stale now: a second save changes nothing.
  const stale = await browser.request(`${stack.issuer}${path}`, {
    form: { ...base, name: 'Overwritten' },
  });
  t.is(stale.status, 412);
  t.regex(await stale.text(), /Changed meanwhile/);
  t.is((await resourceNamed(identifier)).name, 'Edited');
});

test('delete a resource after its confirmation: stale 412, in use 409, then forced', async (t) => {
  const identifier = 'https://delete.example';
  await createResource(identifier, 'Delete me');
  await stack.cli(['clients', 'update', 'ledger', '--resource', identifier]);
  const path = `/admin/resources/${encodeURIComponent(identifier)}`;
  const { browser, page } = await signedIn('ada', path);
  t.regex(
    page,
    new RegExp(`<a class="button danger" href="${path.replaceAll('%', '%')}/delete">Delete</a>`),
  );
  const confirm = await (await browser.request(`${stack.issuer}${path}/delete`)).text();
  t.regex(confirm, /<h1>Delete Delete me\?<\/h1>/);
  t.regex(confirm, /1 client is allowed it: ledger/);
  t.regex(confirm, /name="force"/);
  const csrf = inputValue(confirm, 'csrf') ?? '';
  const etag = etagOf(confirm);
  const forged = await browser.request(`${stack.issuer}${path}/delete`, {
    form: { csrf: 'forged', etag, force: 'on' },
  });
  t.is(forged.status, 403);
  const inUse = await browser.request(`${stack.issuer}${path}/delete`, { form: { csrf, etag } });
  t.is(inUse.status, 409);
  t.regex(await inUse.text(), /take it off them first/);
  await stack.cli(['resources', 'update', identifier, '--name', 'Renamed meanwhile']);
  const stale = await browser.request(`${stack.issuer}${path}/delete`, {
    form: { csrf, etag, force: 'on' },
  });
  t.is(stale.status, 412);
  t.is((await resourceNamed(identifier)).name, 'Renamed meanwhile');
  const fresh = etagOf(await (await browser.request(`${stack.issuer}${path}/delete`)).text());
  const deleted = await browser.request(`${stack.issuer}${path}/delete`, {
    form: { csrf, etag: fresh, force: 'on' },
  });
  t.is(deleted.status, 303);
  t.is(deleted.headers.get('location'), '/admin/resources?done=deleted');
  const listed = await (
    await browser.request(`${stack.issuer}/admin/resources?done=deleted`)
  ).text();
  t.regex(listed, /Resource deleted/);
  await t.throwsAsync(resourceNamed(identifier), { message: /no resource/ });
});

test('a read-only operator: no resource buttons, and every change refused (403)', async (t) => {
  const identifier = 'https://readonly.example';
  await createResource(identifier, 'Read only');
  const path = `/admin/resources/${encodeURIComponent(identifier)}`;
  const { browser, page } = await signedIn('vera', path);
  t.regex(page, /<h1>Read only<\/h1>/);
  t.notRegex(page, /\/edit"|\/delete"/);
  const list = await (await browser.request(`${stack.issuer}/admin/resources`)).text();
  t.notRegex(list, /Register a resource/);
  const csrf = inputValue(page, 'csrf') ?? '';
  for (const [url, form] of [
    ['/admin/resources', { identifier: 'https://vera.example', name: 'Vera' }],
    [path, { name: 'Changed by vera', etag: '"x"' }],
    [`${path}/delete`, { etag: '"x"', force: 'on' }],
  ] as const) {
    const answer = await browser.request(`${stack.issuer}${url}`, { form: { csrf, ...form } });
    t.is(answer.status, 403, url);
    t.regex(await answer.text(), /needs the admin:write scope/);
  }
  for (const url of ['/admin/resources/new', `${path}/edit`, `${path}/delete`]) {
    t.is((await browser.request(`${stack.issuer}${url}`)).status, 403, url);
  }
  t.is((await resourceNamed(identifier)).name, 'Read only');
  await t.throwsAsync(resourceNamed('https://vera.example'), { message: /no resource/ });
});

type UserShown = { id: string; email: string | null; roles: string[] };
const userNamed = (username: string) => stack.cli<UserShown>(['users', 'show', username]);
const passwordHash = async (username: string) =>
  (await database.db('users').where({ username }).first<{ password_hash: string }>())
    ?.password_hash;

test('create a user and set their password: refusals by their field, a password never shown or logged', async (t) => {
  const first = 'first-password-9f3a';
  const short = 'sh0rt';
  const second = 'second-password-7c1e';
  const pages: string[] = [];
  const { browser, page } = await signedIn('stew', '/admin/users/new');
  pages.push(page);
  t.regex(
    page,
    /type="password" id="field-password" name="password" value="" autocomplete="new-password"/,
  );
  const csrf = inputValue(page, 'csrf') ?? '';
  const post = async (path: string, form: Record<string, string>) => {
    const answer = await browser.request(`${stack.issuer}${path}`, { form: { csrf, ...form } });
    const text = await answer.text();
    pages.push(text);
    return { answer, text };
  };
  const weak = await post('/admin/users', {
    username: 'quinn',
    password: short,
    email: 'q@x.example',
  });
  t.is(weak.answer.status, 400);
  t.is(fieldError(weak.text, 'password'), 'the password must be 8 to 1024 characters');
  t.regex(weak.text, /value="quinn"/);
  const taken = await post('/admin/users', { username: 'ADA', password: first });
  t.is(taken.answer.status, 409);
  t.is(fieldError(taken.text, 'username'), 'a user named &quot;ADA&quot; already exists');
  const badName = await post('/admin/users', {
    username: 'quinn',
    password: first,
    name: 'x'.repeat(101),
  });
  t.is(badName.answer.status, 400);
  t.is(fieldError(badName.text, 'name'), 'name must be 1 to 100 characters');
  const made = await post('/admin/users', {
    username: 'quinn',
    password: first,
    email: 'quinn@example.com',
    name: 'Quinn',
  });
  t.is(made.answer.status, 303);
  const user = await userNamed('quinn');
  const path = `/admin/users/${user.id}`;
  t.is(made.answer.headers.get('location'), `${path}?done=created`);
  const shown = await (await browser.request(`${stack.issuer}${path}?done=created`)).text();
  pages.push(shown);
  t.regex(shown, /User created\./);
  const form = await (await browser.request(`${stack.issuer}${path}/password`)).text();
  pages.push(form);
  const etag = etagOf(form);
  const before = await passwordHash('quinn');
  const refused = await post(`${path}/password`, { etag, password: 'quinn' });
  t.is(refused.answer.status, 400);
  t.regex(
    fieldError(refused.text, 'password') ?? '',
    /the password must be 8 to 1024 characters|must not be the username/,
  );
  const tooShort = await post(`${path}/password`, { etag, password: short });
  t.is(tooShort.answer.status, 400);
  t.is(await passwordHash('quinn'), before, 'nothing changed by a refusal');
  const set = await post(`${path}/password`, { etag, password: second });
  t.is(set.answer.status, 303);
  t.is(set.answer.headers.get('location'), `${path}?done=password`);
  t.not(await passwordHash('quinn'), before);
  const stale = await post(`${path}/password`, { etag, password: `${second}-again` });
  t.is(stale.answer.status, 412);
  for (const secret of [first, short, second, `${second}-again`]) {
    t.false(
      pages.some((p) => p.includes(secret)),
      `${secret} in a page`,
    );
    t.false(log.text().includes(secret), `${secret} in the log`);
  }
});

test("change a user's email: a refusal next to its field, then changed; stale: 412", async (t) => {
  await stack.cli(['users', 'create', '--username', 'rita', '--password-stdin'], 'rita-password-1');
  const { id } = await userNamed('rita');
  const path = `/admin/users/${id}`;
  const { browser, page } = await signedIn('stew', `${path}/email`);
  t.regex(page, /<h1>Change rita’s email<\/h1>/);
  const csrf = inputValue(page, 'csrf') ?? '';
  const etag = etagOf(page);
  const bad = await browser.request(`${stack.issuer}${path}/email`, {
    form: { csrf, etag, email: 'not an address' },
  });
  t.is(bad.status, 400);
  const again = await bad.text();
  t.is(fieldError(again, 'email'), '&quot;not an address&quot; is not a valid email address');
  t.regex(again, /value="not an address"/);
  const forged = await browser.request(`${stack.issuer}${path}/email`, {
    form: { csrf: 'forged', etag, email: 'forged@example.com' },
  });
  t.is(forged.status, 403);
  t.is((await userNamed('rita')).email, null);
  const done = await browser.request(`${stack.issuer}${path}/email`, {
    form: { csrf, etag, email: 'rita@example.com' },
  });
  t.is(done.status, 303);
  t.is(done.headers.get('location'), `${path}?done=email`);
  t.is((await userNamed('rita')).email, 'rita@example.com');
  const stale = await browser.request(`${stack.issuer}${path}/email`, {
    form: { csrf, etag, email: '' },
  });
  t.is(stale.status, 412);
  t.is((await userNamed('rita')).email, 'rita@example.com');
});

test("roles on a user's page: an unknown role refused by its field, added, removed; stale: 412", async (t) => {
  await stack.cli(['users', 'create', '--username', 'sam', '--password-stdin'], 'sam-password-1');
  const { id } = await userNamed('sam');
  const path = `/admin/users/${id}`;
  const { browser, page } = await signedIn('stew', path);
  t.regex(page, /<h2>Roles<\/h2>\n<p>No role\.<\/p>/);
  t.regex(page, new RegExp(`<form method="post" action="${path}/roles"`));
  const csrf = inputValue(page, 'csrf') ?? '';
  const etag = etagOf(page);
  const unknown = await browser.request(`${stack.issuer}${path}/roles`, {
    form: { csrf, etag, role: 'nobody' },
  });
  t.is(unknown.status, 400);
  const again = await unknown.text();
  t.is(fieldError(again, 'role'), 'no role &quot;nobody&quot;');
  t.regex(again, /<h1>Give sam a role<\/h1>/);
  const added = await browser.request(`${stack.issuer}${path}/roles`, {
    form: { csrf, etag, role: 'viewer' },
  });
  t.is(added.status, 303);
  t.is(added.headers.get('location'), `${path}?done=role-added`);
  t.deepEqual((await userNamed('sam')).roles, ['viewer']);
  const shown = await (await browser.request(`${stack.issuer}${path}?done=role-added`)).text();
  t.regex(shown, /Role added\./);
  const remove = `${path}/roles/viewer/remove`;
  t.true(shown.includes(`action="${remove}"`));
  const stale = await browser.request(`${stack.issuer}${remove}`, { form: { csrf, etag } });
  t.is(stale.status, 412);
  t.deepEqual((await userNamed('sam')).roles, ['viewer']);
  const removed = await browser.request(`${stack.issuer}${remove}`, {
    form: { csrf, etag: etagOf(shown) },
  });
  t.is(removed.status, 303);
  t.deepEqual((await userNamed('sam')).roles, []);
});

test('delete a user after the confirmation; CSRF required; stale: 412', async (t) => {
  await stack.cli(['users', 'create', '--username', 'tess', '--password-stdin'], 'tess-password-1');
  const { id } = await userNamed('tess');
  const path = `/admin/users/${id}`;
  const { browser, page } = await signedIn('stew', path);
  t.true(page.includes(`<a class="button danger" href="${path}/delete">Delete</a>`));
  const confirm = await (await browser.request(`${stack.issuer}${path}/delete`)).text();
  t.regex(confirm, /<h1>Delete tess\?<\/h1>/);
  t.true(confirm.includes(`<a class="button secondary" href="${path}">Keep them</a>`));
  const csrf = inputValue(confirm, 'csrf') ?? '';
  const etag = etagOf(confirm);
  for (const token of [undefined, 'forged']) {
    const answer = await browser.request(`${stack.issuer}${path}/delete`, {
      form: { etag, ...(token ? { csrf: token } : {}) },
    });
    t.is(answer.status, 403);
  }
  await stack.cli(['users', 'update', 'tess', '--email', 'tess@example.com']);
  const stale = await browser.request(`${stack.issuer}${path}/delete`, { form: { csrf, etag } });
  t.is(stale.status, 412);
  t.is((await userNamed('tess')).id, id);
  const fresh = etagOf(await (await browser.request(`${stack.issuer}${path}/delete`)).text());
  const deleted = await browser.request(`${stack.issuer}${path}/delete`, {
    form: { csrf, etag: fresh },
  });
  t.is(deleted.status, 303);
  t.is(deleted.headers.get('location'), '/admin/users?done=deleted');
  const listed = await (await browser.request(`${stack.issuer}/admin/users?done=deleted`)).text();
  t.regex(listed, /User deleted/);
  await t.throwsAsync(userNamed('tess'), { message: /no user/ });
});

test('an operator without admin:users: no user form served, every change refused', async (t) => {
  const { browser, page } = await signedIn('vera', '/admin/clients');
  const csrf = inputValue(page, 'csrf') ?? '';
  const { id } = await userNamed('stew');
  t.is((await browser.request(`${stack.issuer}/admin/users/new`)).status, 403);
  const created = await browser.request(`${stack.issuer}/admin/users`, {
    form: { csrf, username: 'vera-made', password: 'vera-made-password' },
  });
  t.is(created.status, 403);
  const role = await browser.request(`${stack.issuer}/admin/users/${id}/roles`, {
    form: { csrf, etag: '"x"', role: 'portcullis-admin' },
  });
  t.is(role.status, 403);
  await t.throwsAsync(userNamed('vera-made'), { message: /no user/ });
  t.deepEqual((await userNamed('stew')).roles, ['steward']);
});

test('signed out: a form page sends to the sign-in', async (t) => {
  const answer = await new HttpBrowser(stack.issuer).request(`${stack.issuer}/admin/users/new`);
  t.is(answer.status, 303);
  t.is(answer.headers.get('location'), '/admin/sign-in?return=%2Fadmin%2Fusers%2Fnew');
});
