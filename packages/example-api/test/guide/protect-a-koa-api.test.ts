// Runs the APIs of docs/guides/protect-a-node-api.md and docs/guides/from-django-rest-framework.md
// (their code is notes-api.ts) over real HTTP, with tokens minted by a test issuer, and checks
// the statuses, errors and challenges the guides promise.
import test from 'ava';
import type Koa from 'koa';
import { catalogue as exampleCatalogue } from '../../src/index.ts';
import { type ApiResponse, type CallOptions, call } from '../helpers/api-client.ts';
import { createDpopKey } from '../helpers/dpop-key.ts';
import { type Listening, listen } from '../helpers/listen.ts';
import { startTestIssuer, type TestIssuer } from '../helpers/test-issuer.ts';
import {
  catalogue,
  createCatalogueResourceServer,
  createConfiguredResourceServer,
  createDescribedResourceServer,
  createDpopResourceServer,
  createIntrospectingResourceServer,
  createNotesApi,
  createRulesApi,
  createThrottledApi,
  createWhoAmIApi,
  misspeltScope,
} from './notes-api.ts';

const AUDIENCE = 'http://localhost:4000';
const REALM = `realm="${AUDIENCE}"`;
const INSUFFICIENT = `Bearer ${REALM}, error="insufficient_scope", error_description="the access token does not grant the scope this request needs"`;

let issuer: TestIssuer;
let rules: Listening;
test.before(async () => {
  issuer = await startTestIssuer();
  rules = await listen(createRulesApi({ issuer: issuer.url, audience: AUDIENCE }));
});
test.after.always(async () => {
  await rules?.close();
  await issuer?.close();
});

/** Runs `run` against `app` listening on a free port, then stops it. */
async function withApp(app: Koa, run: (url: string) => Promise<void>): Promise<void> {
  const server = await listen(app);
  try {
    await run(server.url);
  } finally {
    await server.close();
  }
}

const token = (claims: Record<string, unknown>) => issuer.mint(AUDIENCE, claims);
const withScope = (scope: string, claims: Record<string, unknown> = {}) =>
  token({ scope, ...claims });
const rulesCall = (path: string, options: CallOptions = {}) => call(`${rules.url}${path}`, options);

function assertAllowed(t: import('ava').ExecutionContext, response: ApiResponse, what: string) {
  t.is(response.status, 200, what);
  t.deepEqual(response.body, { ok: true }, what);
}

function assertInsufficient(
  t: import('ava').ExecutionContext,
  response: ApiResponse,
  scope: string,
  what = '',
) {
  t.is(response.status, 403, what);
  t.is(response.headers.get('www-authenticate'), `${INSUFFICIENT}, scope="${scope}"`, what);
  t.like(response.body, { error: 'insufficient_scope' }, what);
}

function assertForbidden(
  t: import('ava').ExecutionContext,
  response: ApiResponse,
  description: string,
) {
  t.is(response.status, 403);
  t.is(response.headers.get('www-authenticate'), null, 'no challenge: no token would help');
  t.deepEqual(response.body, { error: 'forbidden', error_description: description });
}

function assertNoToken(t: import('ava').ExecutionContext, response: ApiResponse, what = '') {
  t.is(response.status, 401, what);
  t.is(response.headers.get('www-authenticate'), `Bearer ${REALM}`, what);
  t.like(response.body, { error: 'unauthorized' }, what);
}

// --- the first API ---------------------------------------------------------------------------

test("notes API: write, read, and delete one's own note", async (t) => {
  await withApp(createNotesApi({ issuer: issuer.url, audience: AUDIENCE }), async (url) => {
    const alice = withScope('notes:read notes:write', { sub: 'alice' });
    const created = await call(`${url}/notes`, { method: 'POST', token: alice });
    t.is(created.status, 201);
    const note = created.body as { id: string; owner: string };
    t.is(note.owner, 'alice');
    const listed = await call(`${url}/notes`, { token: withScope('notes:read') });
    t.is(listed.status, 200);
    t.deepEqual(listed.body, [created.body]);
    const deleted = await call(`${url}/notes/${note.id}`, { method: 'DELETE', token: alice });
    t.is(deleted.status, 204);
  });
});

test('notes API: refusals and their challenges', async (t) => {
  await withApp(createNotesApi({ issuer: issuer.url, audience: AUDIENCE }), async (url) => {
    assertNoToken(t, await call(`${url}/notes`));

    const writer = withScope('notes:write', { sub: 'alice' });
    assertInsufficient(t, await call(`${url}/notes`, { token: writer }), 'notes:read');

    const created = await call(`${url}/notes`, { method: 'POST', token: writer });
    const id = (created.body as { id: string }).id;
    const mallory = withScope('notes:write', { sub: 'mallory' });
    assertForbidden(
      t,
      await call(`${url}/notes/${id}`, { method: 'DELETE', token: mallory }),
      'only the owner of this resource may do this',
    );
    // The scope rule runs first: the owner without notes:write is told which scope is missing.
    const ownerReader = withScope('notes:read', { sub: 'alice' });
    assertInsufficient(
      t,
      await call(`${url}/notes/${id}`, { method: 'DELETE', token: ownerReader }),
      'notes:write',
    );
  });
});

test('notes API: bad tokens are 401 invalid_token, malformed requests 400', async (t) => {
  await withApp(createNotesApi({ issuer: issuer.url, audience: AUDIENCE }), async (url) => {
    const now = Math.floor(Date.now() / 1000);
    const expired = token({ iat: now - 600, exp: now - 300 });
    const response = await call(`${url}/notes`, { token: expired });
    t.is(response.status, 401);
    t.is(
      response.headers.get('www-authenticate'),
      `Bearer ${REALM}, error="invalid_token", error_description="the access token has expired"`,
    );
    t.like(response.body, { error: 'invalid_token' });

    const elsewhere = issuer.mint('https://other.example.com', { scope: 'notes:read' });
    t.is((await call(`${url}/notes`, { token: elsewhere })).status, 401);

    const malformed = await call(`${url}/notes`, { headers: { authorization: 'Bearer a b' } });
    t.is(malformed.status, 400);
    t.regex(
      malformed.headers.get('www-authenticate') ?? '',
      new RegExp(`^Bearer ${REALM}, error="invalid_request", error_description="[^"]+"$`),
    );

    const encodedSlash = await call(`${url}/notes/a%2Fb`, {
      method: 'DELETE',
      token: withScope('notes:write'),
    });
    t.is(encodedSlash.status, 400);
    t.is(
      encodedSlash.headers.get('www-authenticate'),
      `Bearer ${REALM}, error="invalid_request", error_description="the request path contains a backslash or an encoded slash"`,
    );
  });
});

test('notes API: 503 with Retry-After while the issuer is unreachable', async (t) => {
  const gone = await startTestIssuer();
  const app = createNotesApi({ issuer: gone.url, audience: AUDIENCE });
  const logged: unknown[] = [];
  app.on('error', (error) => logged.push(error));
  const valid = gone.mint(AUDIENCE, { scope: 'notes:read' });
  await gone.close();
  await withApp(app, async (url) => {
    const response = await call(`${url}/notes`, { token: valid });
    t.is(response.status, 503);
    t.is(response.headers.get('retry-after'), '30');
    t.is(response.headers.get('www-authenticate'), null);
    t.like(response.body, { error: 'temporarily_unavailable' });
    t.is(logged.length, 1, 'the failed fetch is emitted on the app');
  });
});

// --- options, ctx.state.auth, metadata --------------------------------------------------------

test('configured resource server: ctx.state.auth as the guide shows it', async (t) => {
  const rs = createConfiguredResourceServer({ issuer: issuer.url, audience: AUDIENCE });
  await withApp(createWhoAmIApi(rs), async (url) => {
    const exp = Math.floor(Date.now() / 1000) + 120;
    const response = await call(`${url}/me`, {
      token: token({ sub: 'bob', client_id: 'cli', scope: 'notes:read', exp, auth_time: 1 }),
    });
    t.is(response.status, 200);
    const withoutAuthTime = await call(`${url}/me`, {
      token: token({ sub: 'bob', client_id: 'cli', scope: 'notes:read', exp }),
    });
    t.is(withoutAuthTime.status, 401, 'requiredClaims: auth_time');
    t.deepEqual(response.body, {
      subject: 'bob',
      clientId: 'cli',
      scopes: ['notes:read'],
      expiresAt: exp,
      token: 'jwt',
    });
  });
});

test('described resource server: RFC 9728 metadata, and challenges point to it', async (t) => {
  const rs = createDescribedResourceServer({ issuer: issuer.url, audience: AUDIENCE });
  await withApp(createWhoAmIApi(rs), async (url) => {
    const metadata = await call(`${url}/.well-known/oauth-protected-resource`);
    t.is(metadata.status, 200);
    t.is(metadata.headers.get('cache-control'), 'public, max-age=300');
    t.deepEqual(metadata.body, {
      resource: AUDIENCE,
      authorization_servers: [issuer.url],
      bearer_methods_supported: ['header'],
      scopes_supported: ['notes:read', 'notes:write'],
      resource_name: 'Notes API',
    });
    const refused = await call(`${url}/me`);
    t.is(refused.status, 401);
    t.is(
      refused.headers.get('www-authenticate'),
      `Bearer ${REALM}, resource_metadata="${AUDIENCE}/.well-known/oauth-protected-resource"`,
    );
  });
});

test('introspecting resource server: opaque tokens by introspection, JWTs locally', async (t) => {
  const { clientId, clientSecret } = issuer.introspectionClient;
  const rs = createIntrospectingResourceServer({
    issuer: issuer.url,
    audience: AUDIENCE,
    clientId,
    clientSecret,
  });
  await withApp(createWhoAmIApi(rs), async (url) => {
    const opaque = issuer.opaque(AUDIENCE, { sub: 'carol', scope: 'notes:read' });
    const before = issuer.introspections;
    const response = await call(`${url}/me`, { token: opaque });
    t.is(response.status, 200);
    t.like(response.body, { subject: 'carol', scopes: ['notes:read'], token: 'opaque' });
    // Answers are cached (at most maxCacheSeconds): the same token is not asked about again.
    t.is((await call(`${url}/me`, { token: opaque })).status, 200);
    t.is(issuer.introspections, before + 1);

    const jwt = await call(`${url}/me`, { token: withScope('notes:read') });
    t.like(jwt.body, { token: 'jwt' });
    t.is(issuer.introspections, before + 1, 'a JWT is verified locally');

    const unknown = await call(`${url}/me`, { token: 'not-a-token-the-issuer-knows' });
    t.is(unknown.status, 401);
    t.is(
      unknown.headers.get('www-authenticate'),
      `Bearer ${REALM}, error="invalid_token", error_description="the access token is not active"`,
    );
  });
});

test('DPoP resource server: bound tokens with a proof only', async (t) => {
  const rs = createDpopResourceServer({ issuer: issuer.url, audience: AUDIENCE });
  await withApp(createWhoAmIApi(rs), async (url) => {
    const key = createDpopKey();
    const bound = token({ cnf: { jkt: key.jkt }, scope: 'notes:read' });
    const proof = key.proof('GET', `${AUDIENCE}/me`, bound);
    const headers = { authorization: `DPoP ${bound}`, dpop: proof };
    const accepted = await call(`${url}/me`, { headers });
    t.is(accepted.status, 200);
    t.like(accepted.body, { scopes: ['notes:read'] });

    const replayed = await call(`${url}/me`, { headers });
    t.is(replayed.status, 401);
    t.regex(
      replayed.headers.get('www-authenticate') ?? '',
      /^DPoP realm="[^"]+", error="invalid_dpop_proof", error_description="the DPoP proof has been used before", algs="ES256 PS256 EdDSA Ed25519", resource_metadata="[^"]+"$/,
    );

    // Bearer is not accepted at all: the answer is the challenge for missing credentials.
    const bearer = await call(`${url}/me`, { token: withScope('notes:read') });
    t.is(bearer.status, 401);
    t.is(
      bearer.headers.get('www-authenticate'),
      `DPoP ${REALM}, algs="ES256 PS256 EdDSA Ed25519", resource_metadata="${AUDIENCE}/.well-known/oauth-protected-resource"`,
    );
    const metadata = await call(`${url}/.well-known/oauth-protected-resource`);
    t.like(metadata.body, {
      dpop_signing_alg_values_supported: ['ES256', 'PS256', 'EdDSA', 'Ed25519'],
      dpop_bound_access_tokens_required: true,
    });
  });
});

// --- the catalogue ---------------------------------------------------------------------------

test('the guide catalogue is the example API catalogue that resources apply registers', (t) => {
  t.deepEqual(catalogue.toJSON(), exampleCatalogue.toJSON());
});

test('a misspelt catalogue scope fails at start-up too', (t) => {
  const error = t.throws(misspeltScope);
  t.like(error, { code: 'ERR_RS_CONFIG', key: 'catalogue.rules.allOf' });
});

test('the catalogue resource server publishes the catalogue scopes', async (t) => {
  await withApp(createWhoAmIApi(createCatalogueResourceServer(issuer.url)), async (url) => {
    const metadata = await call(`${url}/.well-known/oauth-protected-resource`);
    t.like(metadata.body, {
      resource: 'http://localhost:4000',
      scopes_supported: ['notes:read', 'notes:write'],
      resource_name: 'Example notes API',
    });
  });
});

// --- rules -----------------------------------------------------------------------------------

test('allOf: every scope; the refusal names all of them', async (t) => {
  assertInsufficient(
    t,
    await rulesCall('/reports', { token: withScope('reports:read') }),
    'reports:read reports:export',
  );
  assertAllowed(
    t,
    await rulesCall('/reports', { token: withScope('reports:export reports:read') }),
    'both',
  );
});

test('anyOf: one scope is enough; the refusal names the first', async (t) => {
  assertAllowed(t, await rulesCall('/search', { token: withScope('notes:admin') }), 'admin');
  assertInsufficient(t, await rulesCall('/search', { token: withScope('x') }), 'notes:read');
});

test('readWrite: read for safe methods, write for the others', async (t) => {
  const reader = withScope('drafts:read');
  assertAllowed(t, await rulesCall('/drafts', { token: reader }), 'GET');
  assertInsufficient(
    t,
    await rulesCall('/drafts', { method: 'PUT', token: reader }),
    'drafts:write',
  );
  const writer = withScope('drafts:write');
  assertAllowed(t, await rulesCall('/drafts', { method: 'PUT', token: writer }), 'PUT');
  assertInsufficient(t, await rulesCall('/drafts', { token: writer }), 'drafts:read');
});

test('readWrite with lists: every scope of the list', async (t) => {
  assertAllowed(t, await rulesCall('/music', { token: withScope('read music') }), 'GET');
  assertInsufficient(t, await rulesCall('/music', { token: withScope('read') }), 'music read');
  assertInsufficient(
    t,
    await rulesCall('/music', { method: 'POST', token: withScope('music read') }),
    'music write',
  );
  assertAllowed(
    t,
    await rulesCall('/music', { method: 'POST', token: withScope('music write') }),
    'POST',
  );
});

test('resourceScope: <name>:read and <name>:write', async (t) => {
  assertAllowed(t, await rulesCall('/tags', { token: withScope('tags:read') }), 'GET');
  assertInsufficient(
    t,
    await rulesCall('/tags', { method: 'POST', token: withScope('tags:read') }),
    'tags:write',
  );
  assertAllowed(
    t,
    await rulesCall('/tags', { method: 'POST', token: withScope('tags:write') }),
    'POST',
  );
});

test('perMethod: alternatives per method; HEAD follows GET; unlisted methods refused', async (t) => {
  assertAllowed(t, await rulesCall('/songs', { token: withScope('songs:read') }), 'GET');
  const head = await rulesCall('/songs', { method: 'HEAD', token: withScope('songs:read') });
  t.is(head.status, 200);
  assertAllowed(
    t,
    await rulesCall('/songs', { method: 'POST', token: withScope('songs:create') }),
    'first alternative',
  );
  assertAllowed(
    t,
    await rulesCall('/songs', { method: 'POST', token: withScope('songs:write songs:admin') }),
    'second alternative',
  );
  assertInsufficient(
    t,
    await rulesCall('/songs', { method: 'POST', token: withScope('songs:write') }),
    'songs:create',
  );
  assertForbidden(
    t,
    await rulesCall('/songs', { method: 'PUT', token: withScope('songs:write songs:admin') }),
    'this method is not allowed by the rules of this route',
  );
});

test('owner and or: the owner, or a moderator', async (t) => {
  const patch = (claims: Record<string, unknown>) =>
    rulesCall('/posts/p-1', { method: 'PATCH', token: token(claims) });
  assertAllowed(t, await patch({ sub: 'alice', scope: '' }), 'owner');
  assertAllowed(t, await patch({ sub: 'bob', scope: 'posts:moderate' }), 'moderator');
  // Every alternative refused: the most helpful refusal wins, the scope that would let bob in.
  assertInsufficient(t, await patch({ sub: 'bob', scope: '' }), 'posts:moderate');
});

test('and, not: writers without the read-only marker', async (t) => {
  const post = (scope: string) =>
    rulesCall('/archive', { method: 'POST', token: withScope(scope) });
  assertAllowed(t, await post('notes:write'), 'writer');
  assertForbidden(
    t,
    await post('notes:write notes:read-only'),
    'the access token may not make this request',
  );
  assertInsufficient(t, await post('notes:read'), 'notes:write');
});

test('role and claim(roles): the roles claim Portcullis issues', async (t) => {
  const description = 'the access token does not carry the claims this request needs';
  for (const path of ['/admin/notes', '/admin/notes-by-claim']) {
    assertAllowed(t, await rulesCall(path, { token: token({ roles: ['notes-admin'] }) }), path);
    assertForbidden(t, await rulesCall(path, { token: token({ roles: [] }) }), description);
    assertForbidden(t, await rulesCall(path, { token: token({}) }), description);
  }
});

test('actedBy: the current actor of a delegated token', async (t) => {
  const description = 'the access token does not carry the claims this request needs';
  const call = (claims: Record<string, unknown>) =>
    rulesCall('/delegated/notes', { token: token(claims) });
  assertAllowed(t, await call({ act: { sub: 'orders-service' } }), 'the orders service');
  assertForbidden(t, await call({}), description);
  assertForbidden(t, await call({ act: { sub: 'reports-service' } }), description);
  assertForbidden(
    t,
    await call({ act: { sub: 'reports-service', act: { sub: 'orders-service' } } }),
    description,
  );
});

test('model permissions: a scope per action', async (t) => {
  const remove = (scope: string) =>
    rulesCall('/model/notes', { method: 'DELETE', token: withScope(scope) });
  assertAllowed(t, await remove('notes:view notes:delete'), 'deleter');
  assertInsufficient(t, await remove('notes:view notes:change'), 'notes:delete');
});

test('claim: a predicate on a claim; only true allows', async (t) => {
  assertAllowed(
    t,
    await rulesCall('/admin/stats', { token: token({ groups: ['staff'] }) }),
    'staff',
  );
  const description = 'the access token does not carry the claims this request needs';
  assertForbidden(
    t,
    await rulesCall('/admin/stats', { token: token({ groups: ['dev'] }) }),
    description,
  );
  assertForbidden(t, await rulesCall('/admin/stats', { token: token({}) }), description);
});

test('authenticated: any valid token after optional authentication', async (t) => {
  assertNoToken(t, await rulesCall('/feed'));
  assertAllowed(t, await rulesCall('/feed', { token: withScope('') }), 'any token');
});

test('authenticatedOrReadOnly: public reads, writes need a token and posts:write', async (t) => {
  assertAllowed(t, await rulesCall('/posts'), 'anonymous GET');
  assertNoToken(t, await rulesCall('/posts', { method: 'POST' }), 'anonymous POST');
  assertInsufficient(
    t,
    await rulesCall('/posts', { method: 'POST', token: withScope('posts:read') }),
    'posts:write',
  );
  assertAllowed(
    t,
    await rulesCall('/posts', { method: 'POST', token: withScope('posts:write') }),
    'writer',
  );
  // A presented token is verified even where none is needed.
  const forged = `${withScope('posts:write').slice(0, -4)}AAAA`;
  const response = await rulesCall('/posts', { token: forged });
  t.is(response.status, 401);
  t.like(response.body, { error: 'invalid_token' });
});

test('a rule of your own: verdicts become the same responses', async (t) => {
  assertAllowed(t, await rulesCall('/beta', { token: token({ client_id: 'beta-app' }) }), 'beta');
  assertForbidden(
    t,
    await rulesCall('/beta', { token: token({ client_id: 'other-app' }) }),
    'this client is not in the beta',
  );
  assertNoToken(t, await rulesCall('/beta'));
});

test('requireScopes: the middleware form of allOf', async (t) => {
  assertAllowed(t, await rulesCall('/legacy', { token: withScope('notes:read') }), 'reader');
  assertInsufficient(
    t,
    await rulesCall('/legacy', { token: withScope('notes:write') }),
    'notes:read',
  );
});

// --- throttling ------------------------------------------------------------------------------

test('throttle by client: the 11th write in the hour is 429, other clients are not affected', async (t) => {
  await withApp(createThrottledApi({ issuer: issuer.url, audience: AUDIENCE }), async (url) => {
    const a = withScope('notes:read notes:write', { client_id: 'client-a' });
    for (let i = 0; i < 9; i += 1) {
      t.is((await call(`${url}/notes`, { method: 'POST', token: a })).status, 200);
    }
    // Both write routes share one bucket.
    t.is((await call(`${url}/notes/n-1`, { method: 'DELETE', token: a })).status, 200);
    const limited = await call(`${url}/notes`, { method: 'POST', token: a });
    t.is(limited.status, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    // Sliding window: the next write may have to wait into the next hour (at most two periods).
    t.true(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 7200, `${retryAfter}`);
    t.is(limited.headers.get('www-authenticate'), null);
    t.deepEqual(limited.body, {
      error: 'rate_limited',
      error_description: 'too many requests: retry after the number of seconds in Retry-After',
    });
    t.is((await call(`${url}/notes/n-1`, { method: 'DELETE', token: a })).status, 429);
    // Same user, another client: its own bucket. Reads: another throttle.
    const b = withScope('notes:write', { client_id: 'client-b' });
    t.is((await call(`${url}/notes`, { method: 'POST', token: b })).status, 200);
    t.is((await call(`${url}/notes`, { token: a })).status, 200);
  });
});

test('throttle by a key of your own: anonymous requests per address', async (t) => {
  await withApp(createThrottledApi({ issuer: issuer.url, audience: AUDIENCE }), async (url) => {
    for (let i = 0; i < 5; i += 1) t.is((await call(`${url}/public`)).status, 200);
    t.is((await call(`${url}/public`)).status, 429);
    t.is((await call(`${url}/public`, { token: withScope('') })).status, 200);
  });
});
