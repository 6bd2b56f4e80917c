import test from 'ava';
import Koa from 'koa';
import { allOf, authenticatedOrReadOnly, normalizePath, resourceScope } from '../../src/index.ts';
import { assertInvalidRequest } from '../helpers/assertions.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { mintToken } from '../helpers/mint-token.ts';
import { rawRequest } from '../helpers/raw-request.ts';
import { startHttpServer, type TestHttpServer } from '../helpers/start-http-server.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import { type RulesApp, startRulesApp } from '../helpers/start-rules-app.ts';

let key: TestKey;
let issuer: TestIssuer;
let app: RulesApp;
let reader: string;

test.before(async () => {
  key = await generateTestKey('key-1');
  issuer = await startIssuer([key.publicJwk]);
  app = await startRulesApp(issuer.jwksUri, {
    '/notes': { rule: resourceScope('notes') },
    '/notes/n-1': { rule: resourceScope('notes') },
    '/admin': { rule: allOf('admin') },
    '/public': { rule: authenticatedOrReadOnly(), optional: true },
  });
  // Whoever holds this token may read notes, and nothing else.
  reader = `Authorization: Bearer ${await mintToken(key, { claims: { scope: 'notes:read' } })}`;
});

test.after.always(async () => {
  await app?.close();
  await issuer?.close();
});

const request = (target: string, method = 'GET') => rawRequest(app.url, method, target, [reader]);

// Each of these could reach `/admin` (or another route) in some layer: a router that resolves
// dot segments, a proxy that decodes `%2f`, a servlet container that cuts at `;`, a file system
// that takes `\`, a decoder that accepts overlong UTF-8 or applies NFKC.
const refused: Array<[string, string]> = [
  ['dot-dot segment', '/notes/../admin'],
  ['dot segment', '/notes/./n-1'],
  ['leading dot segment', '/./admin'],
  ['trailing dot-dot segment', '/admin/..'],
  ['lone dot segment at the end', '/notes/.'],
  ['dot-dot before a query', '/notes/..?next=/admin'],
  ['encoded dot-dot', '/notes/%2e%2e/admin'],
  ['encoded dot-dot, mixed case', '/notes/%2E%2e/admin'],
  ['half-encoded dot-dot', '/notes/.%2e/admin'],
  ['encoded single dot', '/notes/%2e/n-1'],
  ['dot-dot with matrix parameters', '/notes/..;/admin'],
  ['encoded dot-dot with matrix parameters', '/notes/%2e%2e;x=1/admin'],
  ['encoded slash', '/notes/..%2fadmin'],
  ['encoded slash, upper case', '/notes%2F..%2Fadmin'],
  ['encoded backslash', '/notes%5c..%5cadmin'],
  ['raw backslash', '/notes\\..\\admin'],
  ['leading double slash', '//admin'],
  ['double slash inside', '/notes//n-1'],
  ['encoded NUL', '/notes%00'],
  ['encoded line feed', '/notes%0a/admin'],
  ['encoded DEL', '/notes%7f'],
  ['encoded C1 control', '/notes%c2%85'],
  ['double-encoded dots', '/notes/%252e%252e/admin'],
  ['double-encoded slash', '/notes%252fadmin'],
  ['overlong UTF-8 dots', '/notes/%c0%ae%c0%ae/admin'],
  ['fullwidth dots', '/notes/%ef%bc%8e%ef%bc%8e/admin'],
  ['two-dot leader', '/notes/%e2%80%a5/admin'],
  ['fullwidth solidus', '/notes%ef%bc%8fadmin'],
  ['fullwidth reverse solidus', '/notes%ef%bc%bcadmin'],
  ['malformed escape', '/notes/%zz'],
  ['stray percent sign', '/notes/%'],
  ['truncated UTF-8', '/notes/%e0%a4%a'],
  ['a fragment in the target', '/admin#/notes'],
  ['absolute-form with a dot-dot segment', 'http://api.example.test/notes/../admin'],
];

for (const [what, target] of refused) {
  test(`refused with 400 invalid_request: ${what}`, async (t) => {
    const response = await request(target);
    assertInvalidRequest(t, response);
    t.is(response.headers.get('cache-control'), 'no-store');
    t.false(app.reached.some((line) => line.includes('admin')));
  });
}

test('raw control and non-ASCII characters never reach a handler (Node refuses them first)', async (t) => {
  for (const target of ['/notes\x01', '/notes\x7f/../admin', '/notés', '/notes/\u2025/admin']) {
    const response = await request(target);
    t.is(response.status, 400, JSON.stringify(target));
  }
  t.false(app.reached.some((line) => line.includes('admin')));
});

test('asterisk-form (OPTIONS *) is refused: no route answers it', async (t) => {
  assertInvalidRequest(t, await request('*', 'OPTIONS'));
});

test('a refused path is answered before authentication: no token needed to be told', async (t) => {
  assertInvalidRequest(t, await rawRequest(app.url, 'GET', '/notes/../admin'));
});

test('/NOTES and /ADMIN are other paths: no rule-protected handler is reached', async (t) => {
  for (const target of ['/NOTES', '/Notes', '/ADMIN', '/Admin/']) {
    const response = await request(target);
    t.is(response.status, 404, target);
  }
  t.deepEqual(
    app.reached.filter((line) => /admin/i.test(line) || line.includes('NOTES')),
    [],
  );
});

test('paths in normal form pass, with their rules applied', async (t) => {
  t.is((await request('/notes')).status, 200);
  t.is((await request('/notes/n-1')).status, 200);
  t.is((await request('/notes?next=../admin&x=%2e%2e%2f')).status, 200);
  t.is((await request('http://api.example.test/notes')).status, 200);
  t.is((await request('/admin')).status, 403);
  t.is((await rawRequest(app.url, 'GET', '/public')).status, 200);
});

test('names that merely contain dots or escapes are not dot segments', async (t) => {
  for (const target of [
    '/notes/.hidden',
    '/notes/...',
    '/notes/a..b',
    '/notes/caf%C3%A9',
    '/notes/100%25',
    '/notes/',
  ]) {
    t.is((await request(target)).status, 404, target);
  }
});

test('without a realm, the 400 has the same JSON body and no challenge', async (t) => {
  const plain = new Koa();
  plain.use(normalizePath());
  plain.use((ctx) => {
    ctx.body = { ok: true };
  });
  const server: TestHttpServer = await startHttpServer(plain.callback());
  try {
    const response = await rawRequest(server.url, 'GET', '/a/../b');
    t.is(response.status, 400);
    t.is(response.headers.get('www-authenticate'), null);
    t.is(response.headers.get('cache-control'), 'no-store');
    t.is(response.body?.error, 'invalid_request');
    t.is(response.body?.error_description, 'the request path contains a dot segment (. or ..)');
    t.is((await rawRequest(server.url, 'GET', '/a/b')).status, 200);
  } finally {
    await server.close();
  }
});
