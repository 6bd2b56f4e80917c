import test from 'ava';
import { allOf, anyOf, perMethod, readWrite, resourceScope } from '../../src/index.ts';
import {
  assertInsufficientScope,
  assertInvalidToken,
  assertNoCredentials,
} from '../helpers/assertions.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { mintToken } from '../helpers/mint-token.ts';
import { assertForbidden, assertReached } from '../helpers/rule-assertions.ts';
import { send } from '../helpers/send.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import { type RulesApp, startRulesApp } from '../helpers/start-rules-app.ts';

let key: TestKey;
let issuer: TestIssuer;
let app: RulesApp;

const songs = perMethod({
  GET: [['songs:read']],
  POST: [['songs:create'], ['songs:write', 'songs:admin']],
  delete: [[]],
});

test.before(async () => {
  key = await generateTestKey('key-1');
  issuer = await startIssuer([key.publicJwk]);
  app = await startRulesApp(issuer.jwksUri, {
    '/all': { rule: allOf('notes:read', 'notes:write') },
    '/any': { rule: anyOf('notes:read', 'notes:admin') },
    '/rw': { rule: readWrite({ read: 'notes:read', write: 'notes:write' }) },
    '/rw-lists': { rule: readWrite({ read: ['a:read'], write: ['a:write', 'a:audit'] }) },
    '/resource': { rule: resourceScope('notes') },
    '/songs': { rule: songs },
    '/optional-rw': {
      rule: readWrite({ read: 'notes:read', write: 'notes:write' }),
      optional: true,
    },
    '/optional-songs': { rule: songs, optional: true },
  });
});

test.after.always(async () => {
  await app?.close();
  await issuer?.close();
});

const call = async (method: string, path: string, scope?: string) =>
  send(
    method,
    `${app.url}${path}`,
    scope === undefined ? undefined : `Bearer ${await mintToken(key, { claims: { scope } })}`,
  );

// allOf

test('allOf: every scope granted passes', async (t) => {
  assertReached(t, await call('GET', '/all', 'notes:write profile notes:read'));
});

test('allOf: one missing scope refuses and names all of them', async (t) => {
  assertInsufficientScope(t, await call('GET', '/all', 'notes:read'), 'notes:read notes:write');
  assertInsufficientScope(t, await call('GET', '/all', 'notes:write'), 'notes:read notes:write');
});

test('allOf: near misses do not count (suffix, case, comma, tab)', async (t) => {
  for (const scope of [
    'notes:read notes:writex',
    'NOTES:READ NOTES:WRITE',
    'notes:read,notes:write',
    'notes:read\tnotes:write',
    'notes:read notes:write:',
  ]) {
    assertInsufficientScope(t, await call('GET', '/all', scope), 'notes:read notes:write');
  }
});

test('allOf: a token without a scope claim is refused', async (t) => {
  const token = await mintToken(key, { omit: ['scope'] });
  assertInsufficientScope(
    t,
    await send('GET', `${app.url}/all`, `Bearer ${token}`),
    'notes:read notes:write',
  );
});

test('allOf: no token at all is 401 without error', async (t) => {
  assertNoCredentials(t, await call('GET', '/all'));
});

// anyOf

test('anyOf: any one of the scopes passes', async (t) => {
  assertReached(t, await call('GET', '/any', 'notes:read'));
  assertReached(t, await call('GET', '/any', 'notes:admin'));
});

test('anyOf: none refuses and names the first alternative', async (t) => {
  assertInsufficientScope(t, await call('GET', '/any', 'notes:write'), 'notes:read');
  assertInsufficientScope(t, await call('GET', '/any', 'notes:adminx notes:rea'), 'notes:read');
});

// readWrite

test('readWrite: safe methods (GET, HEAD, OPTIONS) pass with the read scope', async (t) => {
  for (const method of ['GET', 'HEAD', 'OPTIONS']) {
    const response = await call(method, '/rw', 'notes:read');
    t.is(response.status, 200, method);
  }
});

test('readWrite: unsafe methods need the write scope', async (t) => {
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    assertInsufficientScope(t, await call(method, '/rw', 'notes:read'), 'notes:write');
    assertReached(t, await call(method, '/rw', 'notes:write'), method);
  }
});

test('readWrite: the write scope does not imply read', async (t) => {
  assertInsufficientScope(t, await call('GET', '/rw', 'notes:write'), 'notes:read');
  // A HEAD answer has no body: the status and challenge say it all.
  const head = await call('HEAD', '/rw', 'notes:write');
  t.is(head.status, 403);
  t.regex(
    head.headers.get('www-authenticate') ?? '',
    /error="insufficient_scope".*scope="notes:read"$/,
  );
});

test('readWrite: lists of scopes need all of them', async (t) => {
  assertInsufficientScope(t, await call('POST', '/rw-lists', 'a:write'), 'a:write a:audit');
  assertReached(t, await call('POST', '/rw-lists', 'a:audit a:write'));
  assertReached(t, await call('GET', '/rw-lists', 'a:read'));
});

test('readWrite: an unknown method counts as a write', async (t) => {
  assertInsufficientScope(t, await call('PROPFIND', '/rw', 'notes:read'), 'notes:write');
});

// resourceScope

test('resourceScope: notes:read for safe methods, notes:write for the others', async (t) => {
  assertReached(t, await call('GET', '/resource', 'notes:read'));
  assertReached(t, await call('POST', '/resource', 'notes:write'));
  assertReached(t, await call('DELETE', '/resource', 'notes:write'));
  assertInsufficientScope(t, await call('DELETE', '/resource', 'notes:read'), 'notes:write');
  assertInsufficientScope(t, await call('GET', '/resource', 'notes:write'), 'notes:read');
});

test('resourceScope: the bare resource name is not a scope for it', async (t) => {
  assertInsufficientScope(t, await call('GET', '/resource', 'notes'), 'notes:read');
  assertInsufficientScope(t, await call('POST', '/resource', 'notes notes:*'), 'notes:write');
});

// perMethod

test('perMethod: the listed alternative for the method passes', async (t) => {
  assertReached(t, await call('GET', '/songs', 'songs:read'));
  assertReached(t, await call('POST', '/songs', 'songs:create'));
  assertReached(t, await call('POST', '/songs', 'songs:admin songs:write'));
});

test('perMethod: half an alternative is refused, naming the first alternative', async (t) => {
  assertInsufficientScope(t, await call('POST', '/songs', 'songs:write'), 'songs:create');
  assertInsufficientScope(t, await call('POST', '/songs', 'songs:read'), 'songs:create');
});

test("perMethod: scopes of another method's alternative do not help", async (t) => {
  assertInsufficientScope(t, await call('GET', '/songs', 'songs:create'), 'songs:read');
});

test('perMethod: HEAD follows GET when it is not listed', async (t) => {
  t.is((await call('HEAD', '/songs', 'songs:read')).status, 200);
  const refused = await call('HEAD', '/songs', 'songs:create');
  t.is(refused.status, 403);
  t.regex(refused.headers.get('www-authenticate') ?? '', /scope="songs:read"$/);
});

test('perMethod: an unlisted method is refused with 403 forbidden, whatever the scopes', async (t) => {
  for (const method of ['PUT', 'PATCH', 'OPTIONS']) {
    assertForbidden(t, await call(method, '/songs', 'songs:read songs:create songs:write'));
  }
});

test('perMethod: an empty alternative accepts any valid token (method names are case-insensitive)', async (t) => {
  assertReached(t, await call('DELETE', '/songs', ''));
  assertReached(t, await call('DELETE', '/songs', 'anything'));
});

// after optional authentication

test('after optional authentication, no token is asked for one (401 without error)', async (t) => {
  assertNoCredentials(t, await call('GET', '/optional-rw'));
  assertNoCredentials(t, await call('POST', '/optional-rw'));
});

test('after optional authentication, a bad token is still 401 invalid_token', async (t) => {
  assertInvalidToken(t, await send('GET', `${app.url}/optional-rw`, 'Bearer not.a.token'));
});

test('after optional authentication, an unlisted perMethod method without a token is 401, not 403', async (t) => {
  assertNoCredentials(t, await call('PUT', '/optional-songs'));
});

test('after optional authentication, a token is judged by the rule', async (t) => {
  assertInsufficientScope(t, await call('POST', '/optional-rw', 'notes:read'), 'notes:write');
  assertReached(t, await call('POST', '/optional-rw', 'notes:write'));
});
