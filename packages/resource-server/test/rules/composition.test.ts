import test from 'ava';
import type { Context } from 'koa';
import {
  allOf,
  and,
  authenticated,
  authenticatedOrReadOnly,
  claim,
  not,
  or,
  owner,
  permit,
  type Rule,
  role,
} from '../../src/index.ts';
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

// Documents and their owners; `/docs/<id>` is about document <id>.
const documents = new Map([
  ['doc-1', 'alice'],
  ['doc-2', 'bob'],
]);
const documentOwner = owner(async (ctx: Context) => {
  const id = ctx.path.split('/')[2] ?? '';
  if (id === 'gone') ctx.throw(404, 'no such document');
  return documents.get(id);
});
// A lookup of its own, counted: tests run concurrently.
let lookups = 0;
const countedOwner = owner(() => {
  lookups += 1;
  return 'alice';
});
const staff = claim('groups', (groups) => Array.isArray(groups) && groups.includes('staff'));

const customAllow: Rule = { evaluate: () => ({ allowed: true }) };
const returnsTrue = { evaluate: () => true } as unknown as Rule;
const badScopes: Rule = {
  evaluate: () => ({ allowed: false, refusal: 'insufficient_scope', scopes: ['a b"'] }),
};

test.before(async () => {
  key = await generateTestKey('key-1');
  issuer = await startIssuer([key.publicJwk]);
  const ownerOrModerator = or(documentOwner, allOf('docs:moderate'));
  app = await startRulesApp(issuer.jwksUri, {
    '/and': { rule: and(allOf('a'), allOf('b')) },
    '/or': { rule: or(allOf('a'), allOf('b', 'c')) },
    '/not': { rule: and(allOf('notes:write'), not(allOf('notes:read-only'))) },
    '/not-optional': { rule: not(allOf('banned')), optional: true },
    '/docs/doc-1': { rule: and(allOf('docs:write'), documentOwner) },
    '/docs/doc-2': { rule: and(allOf('docs:write'), documentOwner) },
    '/docs/missing': { rule: and(allOf('docs:write'), documentOwner) },
    '/docs/gone': { rule: and(allOf('docs:write'), documentOwner) },
    '/counted': { rule: and(allOf('docs:write'), countedOwner) },
    '/moderated/doc-1': { rule: ownerOrModerator },
    '/staff': { rule: staff },
    '/notes-admin': { rule: role('notes-admin') },
    '/truthy-claim': { rule: claim('tier', () => 'yes' as unknown as boolean) },
    '/throwing-claim': {
      rule: claim('tier', () => {
        throw new Error('predicate failed');
      }),
    },
    '/public': { rule: authenticatedOrReadOnly(), optional: true },
    '/public-scoped': { rule: authenticatedOrReadOnly(allOf('posts:write')), optional: true },
    '/authenticated': { rule: authenticated(), optional: true },
    '/custom': { rule: customAllow },
    '/returns-true': { rule: returnsTrue },
    '/bad-scopes': { rule: badScopes },
    '/misconfigured': [permit(allOf('a'))],
  });
});

test.after.always(async () => {
  await app?.close();
  await issuer?.close();
});

const bearer = async (claims: Record<string, unknown>) =>
  `Bearer ${await mintToken(key, { claims })}`;
const call = async (method: string, path: string, claims?: Record<string, unknown>) =>
  send(method, `${app.url}${path}`, claims === undefined ? undefined : await bearer(claims));

// and

test('and: passes when every rule allows', async (t) => {
  assertReached(t, await call('GET', '/and', { scope: 'a b' }));
});

test('and: the refusal names the scopes earlier rules relied on too', async (t) => {
  assertInsufficientScope(t, await call('GET', '/and', { scope: 'a' }), 'a b');
});

test('and: the first refusal stops the rest', async (t) => {
  assertInsufficientScope(t, await call('GET', '/and', { scope: 'b' }), 'a');
  assertInsufficientScope(t, await call('GET', '/and', { scope: '' }), 'a');
});

// or

test('or: any rule allowing is enough', async (t) => {
  assertReached(t, await call('GET', '/or', { scope: 'a' }));
  assertReached(t, await call('GET', '/or', { scope: 'c b' }));
});

test('or: when all refuse, the first insufficient_scope is named', async (t) => {
  assertInsufficientScope(t, await call('GET', '/or', { scope: 'b' }), 'a');
  assertInsufficientScope(t, await call('GET', '/or', { scope: 'c' }), 'a');
});

// not

test('not: allows what the inner rule refuses', async (t) => {
  assertReached(t, await call('POST', '/not', { scope: 'notes:write' }));
});

test('not: refuses what the inner rule allows, with 403 forbidden', async (t) => {
  assertForbidden(t, await call('POST', '/not', { scope: 'notes:write notes:read-only' }));
});

test('not: a missing token never opens a route', async (t) => {
  assertNoCredentials(t, await call('GET', '/not-optional'));
  assertReached(t, await call('GET', '/not-optional', { scope: 'notes:read' }));
  assertForbidden(t, await call('GET', '/not-optional', { scope: 'banned' }));
});

// role

test('role: the roles claim must list the name, exactly', async (t) => {
  assertReached(t, await call('GET', '/notes-admin', { roles: ['reader', 'notes-admin'] }));
  assertForbidden(t, await call('GET', '/notes-admin', { roles: ['Notes-Admin'] }));
  assertForbidden(t, await call('GET', '/notes-admin', { roles: [] }));
  assertForbidden(t, await call('GET', '/notes-admin', { roles: 'notes-admin' }));
  assertForbidden(t, await call('GET', '/notes-admin', { scope: 'notes:admin' }));
  assertNoCredentials(t, await call('GET', '/notes-admin'));
});

// owner

test("owner: the resource's owner passes", async (t) => {
  assertReached(t, await call('DELETE', '/docs/doc-1', { sub: 'alice', scope: 'docs:write' }));
});

test('owner: anyone else gets 403 forbidden, not insufficient_scope', async (t) => {
  assertForbidden(t, await call('DELETE', '/docs/doc-2', { sub: 'alice', scope: 'docs:write' }));
});

test('owner: a subject that only differs in case or spacing is someone else', async (t) => {
  for (const sub of ['Alice', 'alice ', ' alice']) {
    assertForbidden(t, await call('DELETE', '/docs/doc-1', { sub, scope: 'docs:write' }));
  }
});

test('owner: a resource without an owner refuses (fails closed)', async (t) => {
  assertForbidden(t, await call('DELETE', '/docs/missing', { sub: 'alice', scope: 'docs:write' }));
});

test("owner: the getter's own error (a 404) goes through", async (t) => {
  const response = await call('DELETE', '/docs/gone', { sub: 'alice', scope: 'docs:write' });
  t.is(response.status, 404);
  t.is(response.headers.get('www-authenticate'), null);
});

test('owner: the lookup does not run when an earlier scope rule refuses', async (t) => {
  assertInsufficientScope(
    t,
    await call('DELETE', '/counted', { sub: 'alice', scope: 'docs:read' }),
    'docs:write',
  );
  t.is(lookups, 0);
  assertReached(t, await call('DELETE', '/counted', { sub: 'alice', scope: 'docs:write' }));
  t.is(lookups, 1);
});

test('or(owner, scope): a moderator passes, a stranger is told the moderator scope', async (t) => {
  assertReached(t, await call('PUT', '/moderated/doc-1', { sub: 'mod', scope: 'docs:moderate' }));
  assertReached(t, await call('PUT', '/moderated/doc-1', { sub: 'alice', scope: '' }));
  assertInsufficientScope(
    t,
    await call('PUT', '/moderated/doc-1', { sub: 'mallory', scope: 'docs:write' }),
    'docs:moderate',
  );
});

// claim

test('claim: a matching claim passes', async (t) => {
  assertReached(t, await call('GET', '/staff', { groups: ['users', 'staff'] }));
});

test('claim: a missing or differently typed claim is 403 forbidden', async (t) => {
  assertForbidden(t, await call('GET', '/staff', {}));
  assertForbidden(t, await call('GET', '/staff', { groups: 'staff' }));
  assertForbidden(t, await call('GET', '/staff', { groups: ['Staff'] }));
});

test('claim: only `true` allows, a truthy value refuses', async (t) => {
  assertForbidden(t, await call('GET', '/truthy-claim', { tier: 'gold' }));
});

test('claim: a throwing predicate fails the request (500), never lets it through', async (t) => {
  const response = await call('GET', '/throwing-claim', { tier: 'gold' });
  t.is(response.status, 500);
  t.true(app.loggedErrors.some((e) => (e as Error).message === 'predicate failed'));
});

// authenticatedOrReadOnly and authenticated

test('authenticatedOrReadOnly: safe methods pass without a token', async (t) => {
  for (const method of ['GET', 'HEAD', 'OPTIONS']) {
    t.is((await call(method, '/public')).status, 200, method);
  }
});

test('authenticatedOrReadOnly: other methods without a token are 401', async (t) => {
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    assertNoCredentials(t, await call(method, '/public'));
  }
});

test('authenticatedOrReadOnly: a valid token may write', async (t) => {
  assertReached(t, await call('POST', '/public', { scope: '' }));
});

test('authenticatedOrReadOnly: a bad token is refused even on a GET', async (t) => {
  assertInvalidToken(t, await send('GET', `${app.url}/public`, 'Bearer x.y.z'));
  const expired = await mintToken(key, { claims: { exp: 1 } });
  assertInvalidToken(t, await send('GET', `${app.url}/public`, `Bearer ${expired}`));
});

test('authenticatedOrReadOnly(rule): writes also need the rule', async (t) => {
  assertReached(t, await call('GET', '/public-scoped'));
  assertNoCredentials(t, await call('POST', '/public-scoped'));
  assertInsufficientScope(
    t,
    await call('POST', '/public-scoped', { scope: 'posts:read' }),
    'posts:write',
  );
  assertReached(t, await call('POST', '/public-scoped', { scope: 'posts:write' }));
});

test('authenticated: any valid token, and 401 without one', async (t) => {
  assertNoCredentials(t, await call('GET', '/authenticated'));
  assertReached(t, await call('GET', '/authenticated', { scope: '' }));
});

// custom rules and misuse

test('a custom rule returning a verdict works', async (t) => {
  assertReached(t, await call('GET', '/custom', {}));
});

test('a rule returning something else than a verdict fails closed (500)', async (t) => {
  t.is((await call('GET', '/returns-true', {})).status, 500);
});

test('scopes that cannot go into a challenge fail closed (500), never reach the header', async (t) => {
  const response = await call('GET', '/bad-scopes', {});
  t.is(response.status, 500);
  t.is(response.headers.get('www-authenticate'), null);
});

test('permit without authenticate fails closed (500, not public)', async (t) => {
  t.is((await call('GET', '/misconfigured', { scope: 'a' })).status, 500);
});
