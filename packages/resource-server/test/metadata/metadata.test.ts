import test, { type ExecutionContext } from 'ava';
import Koa from 'koa';
import {
  createResourceServer,
  errorCodes,
  ResourceServerConfigError,
  type ResourceServerOptions,
} from '../../src/index.ts';
import { assertInsufficientScope, assertNoCredentials } from '../helpers/assertions.ts';
import { getWithHeaders } from '../helpers/dpop.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { AUDIENCE, ISSUER, mintToken, NOW } from '../helpers/mint-token.ts';
import { rawGet, type TestResponse } from '../helpers/request.ts';
import { send } from '../helpers/send.ts';
import { startHttpServer } from '../helpers/start-http-server.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import { startTestApp } from '../helpers/start-test-app.ts';

const PATH = '/.well-known/oauth-protected-resource';
// A fixed description: printable ASCII without quotes or backslashes.
const DESCRIPTION = '[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]+';

let key: TestKey;
let issuer: TestIssuer;

test.before(async () => {
  key = await generateTestKey('key-1');
  issuer = await startIssuer([key.publicJwk]);
});

test.after.always(async () => {
  await issuer?.close();
});

/**
 * Starts an app with `rs.metadata()` mounted in front of a handler that answers every request
 * it reaches with `{ reached: "METHOD path" }`.
 */
async function startMetadataApp(
  t: ExecutionContext,
  options: Partial<ResourceServerOptions> = {},
): Promise<string> {
  const rs = createResourceServer({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: issuer.jwksUri,
    now: () => NOW * 1000,
    ...options,
  });
  const app = new Koa();
  app.use(rs.metadata());
  app.use((ctx) => {
    ctx.body = { reached: `${ctx.method} ${ctx.path}` };
  });
  const server = await startHttpServer(app.callback());
  t.teardown(server.close);
  return server.url;
}

function assertMetadataHeaders(t: ExecutionContext, response: TestResponse) {
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'application/json; charset=utf-8');
  t.is(response.headers.get('cache-control'), 'public, max-age=300');
  t.is(response.headers.get('www-authenticate'), null);
}

// The document

test('GET answers the RFC 9728 document of a minimal configuration', async (t) => {
  const url = await startMetadataApp(t);
  const response = await send('GET', `${url}${PATH}`);
  assertMetadataHeaders(t, response);
  t.deepEqual(response.body, {
    resource: AUDIENCE,
    authorization_servers: [ISSUER],
    bearer_methods_supported: ['header'],
  });
});

test('the document names scopes, resource name and DPoP settings when configured', async (t) => {
  const url = await startMetadataApp(t, {
    publicUrl: AUDIENCE,
    scopes: ['notes:read', 'notes:write', 'notes:read'],
    resourceName: 'Notes API',
    dpop: { algorithms: ['ES256', 'EdDSA'], required: true },
  });
  const response = await send('GET', `${url}${PATH}`);
  assertMetadataHeaders(t, response);
  t.deepEqual(response.body, {
    resource: AUDIENCE,
    authorization_servers: [ISSUER],
    bearer_methods_supported: ['header'],
    scopes_supported: ['notes:read', 'notes:write'],
    resource_name: 'Notes API',
    dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
    dpop_bound_access_tokens_required: true,
  });
});

test('optional DPoP lists its algorithms without requiring bound tokens', async (t) => {
  const url = await startMetadataApp(t, { publicUrl: AUDIENCE, dpop: {} });
  const response = await send('GET', `${url}${PATH}`);
  assertMetadataHeaders(t, response);
  t.deepEqual(response.body?.dpop_signing_alg_values_supported, [
    'ES256',
    'PS256',
    'EdDSA',
    'Ed25519',
  ]);
  t.false('dpop_bound_access_tokens_required' in (response.body ?? {}));
});

test('resource and issuer are the configured strings, unnormalised', async (t) => {
  const url = await startMetadataApp(t, {
    issuer: 'https://AS.example.test/tenant',
    audience: 'urn:example:notes',
  });
  const response = await send('GET', `${url}${PATH}`);
  t.like(response.body, {
    resource: 'urn:example:notes',
    authorization_servers: ['https://AS.example.test/tenant'],
  });
});

test('HEAD answers the same headers without a body', async (t) => {
  const url = await startMetadataApp(t, { resourceName: 'Notes API' });
  const full = await fetch(`${url}${PATH}`);
  const fullText = await full.text();
  const head = await fetch(`${url}${PATH}`, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.headers.get('content-type'), 'application/json; charset=utf-8');
  t.is(head.headers.get('cache-control'), 'public, max-age=300');
  t.is(head.headers.get('content-length'), String(Buffer.byteLength(fullText)));
  t.is(await head.text(), '');
  t.is(JSON.parse(fullText).resource_name, 'Notes API');
});

test('the document needs no token and ignores a bad one; a query string is fine', async (t) => {
  const url = await startMetadataApp(t);
  const response = await getWithHeaders(`${url}${PATH}?x=1`, { authorization: 'Bearer x.y.z' });
  assertMetadataHeaders(t, response);
  t.is(response.body?.resource, AUDIENCE);
});

// Everything else passes through

test('other methods on the metadata path pass through', async (t) => {
  const url = await startMetadataApp(t);
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    const response = await send(method, `${url}${PATH}`);
    t.is(response.status, 200, method);
    t.deepEqual(response.body, { reached: `${method} ${PATH}` }, method);
    t.is(response.headers.get('cache-control'), null, method);
  }
});

test('other paths pass through', async (t) => {
  const url = await startMetadataApp(t);
  for (const path of [
    '/',
    '/notes',
    `${PATH}/`,
    `${PATH}/notes`,
    '/.well-known/oauth-authorization-server',
    '/.well-known/OAUTH-PROTECTED-RESOURCE',
    `/v1${PATH}`,
  ]) {
    const response = await send('GET', `${url}${path}`);
    t.deepEqual(response.body, { reached: `GET ${path}` }, path);
    t.is(response.headers.get('cache-control'), null, path);
  }
});

// resource_metadata in the challenges

async function startChallengeApp(t: ExecutionContext, options: Partial<ResourceServerOptions>) {
  const app = await startTestApp({ jwksUri: issuer.jwksUri, ...options });
  t.teardown(app.close);
  return app.url;
}

/** 401, 403 and 400 challenges all end with `resource_metadata="<expected>"`. */
async function assertChallengesName(t: ExecutionContext, url: string, expected: string) {
  const suffix = `, resource_metadata="${expected}"`;
  const missing = await send('GET', `${url}/protected`);
  t.is(missing.status, 401);
  t.is(missing.headers.get('www-authenticate'), `Bearer realm="${AUDIENCE}"${suffix}`);
  t.is(missing.body?.error, 'unauthorized');

  const expired = await mintToken(key, { claims: { exp: NOW - 3600 } });
  const invalid = await send('GET', `${url}/protected`, `Bearer ${expired}`);
  t.is(invalid.status, 401);
  t.is(invalid.body?.error, 'invalid_token');
  t.true(
    invalid.headers.get('www-authenticate')?.endsWith(suffix),
    invalid.headers.get('www-authenticate') ?? '',
  );
  t.regex(
    invalid.headers.get('www-authenticate') ?? '',
    /^Bearer realm="[^"]+", error="invalid_token"/,
  );

  const readOnly = await mintToken(key, { claims: { scope: 'notes:read' } });
  const forbidden = await send('GET', `${url}/read-write`, `Bearer ${readOnly}`);
  t.is(forbidden.status, 403);
  t.is(
    forbidden.headers.get('www-authenticate'),
    `Bearer realm="${AUDIENCE}", error="insufficient_scope", error_description="the access token does not grant the scope this request needs", scope="notes:read notes:write"${suffix}`,
  );

  const twice = await rawGet(`${url}/protected`, [
    'Authorization: Bearer a',
    'Authorization: Bearer b',
  ]);
  t.is(twice.status, 400);
  t.regex(
    twice.headers.get('www-authenticate') ?? '',
    new RegExp(
      `^Bearer realm="[^"]+", error="invalid_request", error_description="${DESCRIPTION}", resource_metadata="[^"]+"$`,
    ),
  );
  t.true(twice.headers.get('www-authenticate')?.endsWith(suffix));

  const good = await mintToken(key);
  const ok = await send('GET', `${url}/protected`, `Bearer ${good}`);
  t.is(ok.status, 200);
  t.is(ok.headers.get('www-authenticate'), null);
}

test('with publicUrl, challenges name the metadata under it', async (t) => {
  const url = await startChallengeApp(t, { publicUrl: 'https://api.example.test' });
  await assertChallengesName(t, url, `https://api.example.test${PATH}`);
});

test('publicUrl is normalised: case, default port and trailing slashes', async (t) => {
  const url = await startChallengeApp(t, { publicUrl: 'HTTPS://API.Example.TEST:443/v1//' });
  await assertChallengesName(t, url, `https://api.example.test/v1${PATH}`);
});

test('an explicit metadataUrl wins over publicUrl', async (t) => {
  const metadataUrl = `https://meta.example.test${PATH}/v1`;
  const url = await startChallengeApp(t, { publicUrl: 'https://api.example.test', metadataUrl });
  await assertChallengesName(t, url, metadataUrl);
});

test('metadataUrl alone is enough', async (t) => {
  const url = await startChallengeApp(t, { metadataUrl: 'http://localhost:4000/meta' });
  await assertChallengesName(t, url, 'http://localhost:4000/meta');
});

test('without publicUrl or metadataUrl, challenges carry no resource_metadata', async (t) => {
  const url = await startChallengeApp(t, {});
  assertNoCredentials(t, await send('GET', `${url}/protected`));
  const readOnly = await mintToken(key, { claims: { scope: 'notes:read' } });
  assertInsufficientScope(
    t,
    await send('GET', `${url}/read-write`, `Bearer ${readOnly}`),
    'notes:read notes:write',
  );
  const expired = await mintToken(key, { claims: { exp: NOW - 3600 } });
  const invalid = await send('GET', `${url}/protected`, `Bearer ${expired}`);
  t.is(invalid.status, 401);
  t.false(invalid.headers.get('www-authenticate')?.includes('resource_metadata') ?? true);
});

// Configuration

const rejects = test.macro({
  exec(t, options: Record<string, unknown>, key: string) {
    const error = t.throws(
      () =>
        createResourceServer({
          issuer: ISSUER,
          audience: AUDIENCE,
          ...options,
        } as ResourceServerOptions),
      { instanceOf: ResourceServerConfigError },
    );
    t.is(error?.code, errorCodes.config);
    t.is(error?.key, key);
  },
  title: (title = '', options: Record<string, unknown>, key: string) =>
    `rejects ${title}: ${JSON.stringify(Object.values(options)[0]) ?? 'undefined'} (names ${key})`,
});

test(
  'a publicUrl with a query',
  rejects,
  { publicUrl: 'https://api.example.test/?v=1' },
  'publicUrl',
);
test(
  'a publicUrl with an empty query',
  rejects,
  { publicUrl: 'https://api.example.test/?' },
  'publicUrl',
);
test(
  'a publicUrl with a fragment',
  rejects,
  { publicUrl: 'https://api.example.test/#top' },
  'publicUrl',
);
test(
  'a publicUrl with credentials',
  rejects,
  { publicUrl: 'https://user:pw@api.example.test' },
  'publicUrl',
);
test(
  'a publicUrl with a user name',
  rejects,
  { publicUrl: 'https://user@api.example.test' },
  'publicUrl',
);
test(
  'a publicUrl with empty credentials',
  rejects,
  { publicUrl: 'https://@api.example.test' },
  'publicUrl',
);
test('an ftp publicUrl', rejects, { publicUrl: 'ftp://api.example.test' }, 'publicUrl');
test('a javascript: publicUrl', rejects, { publicUrl: 'javascript:alert(1)' }, 'publicUrl');
test('a relative publicUrl', rejects, { publicUrl: '/api' }, 'publicUrl');
test('an empty publicUrl', rejects, { publicUrl: '' }, 'publicUrl');
test('a publicUrl that is not a string', rejects, { publicUrl: new URL(AUDIENCE) }, 'publicUrl');
test('a non-ASCII publicUrl host', rejects, { publicUrl: 'https://bücher.example' }, 'publicUrl');
test(
  'a non-ASCII publicUrl path',
  rejects,
  { publicUrl: 'https://api.example.test/ñ' },
  'publicUrl',
);
test(
  'a publicUrl with a quote',
  rejects,
  { publicUrl: 'https://api.example.test/a"b' },
  'publicUrl',
);
test(
  'a publicUrl with a backslash',
  rejects,
  { publicUrl: 'https:\\\\api.example.test' },
  'publicUrl',
);
test(
  'a publicUrl with a newline',
  rejects,
  { publicUrl: 'https://api.exam\nple.test' },
  'publicUrl',
);
test('a publicUrl with spaces', rejects, { publicUrl: ' https://api.example.test ' }, 'publicUrl');
test(
  'a metadataUrl with credentials',
  rejects,
  { metadataUrl: `https://u:p@api.example.test${PATH}` },
  'metadataUrl',
);
test(
  'a metadataUrl with a fragment',
  rejects,
  { metadataUrl: `https://api.example.test${PATH}#x` },
  'metadataUrl',
);
test(
  'a non-http metadataUrl',
  rejects,
  { metadataUrl: 'file:///etc/metadata.json' },
  'metadataUrl',
);
test('a relative metadataUrl', rejects, { metadataUrl: PATH }, 'metadataUrl');
test(
  'a non-ASCII metadataUrl host',
  rejects,
  { metadataUrl: `https://bücher.example${PATH}` },
  'metadataUrl',
);
test('a metadataUrl that is not a string', rejects, { metadataUrl: 42 }, 'metadataUrl');
test('a blank resourceName', rejects, { resourceName: '  ' }, 'resourceName');
test('an empty resourceName', rejects, { resourceName: '' }, 'resourceName');
test('a resourceName that is not a string', rejects, { resourceName: ['Notes'] }, 'resourceName');
test(
  'a resourceName over 200 characters',
  rejects,
  { resourceName: 'n'.repeat(201) },
  'resourceName',
);
test('scopes that are not a list', rejects, { scopes: 'notes:read' }, 'scopes');
test('a scope with a quote', rejects, { scopes: ['notes"read'] }, 'scopes');

test('the punycode form of a host and a 200-character resourceName are accepted', async (t) => {
  const url = await startMetadataApp(t, {
    publicUrl: 'https://xn--bcher-kva.example',
    resourceName: 'n'.repeat(200),
  });
  const response = await send('GET', `${url}${PATH}`);
  t.is(response.body?.resource_name, 'n'.repeat(200));
  const missing = await send(
    'GET',
    `${await startChallengeApp(t, { publicUrl: 'https://xn--bcher-kva.example' })}/protected`,
  );
  t.is(
    missing.headers.get('www-authenticate'),
    `Bearer realm="${AUDIENCE}", resource_metadata="https://xn--bcher-kva.example${PATH}"`,
  );
});
