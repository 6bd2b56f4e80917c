import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { type ChildCli, startCli } from './child-cli.ts';
import { cliJson, cliWith, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

// `example-api` runs as in Compose: apart from the authorization server, under another name for
// it than the issuer's (JWKS by PORTCULLIS_API_JWKS_URI), for a resource of its own. The
// server is a real `serve`, and the tokens come from its /token endpoint.

const RESOURCE = 'https://notes.example.com';

let database: TestDatabase;
let server: ChildCli;
let issuer: string;
let serverPort: number;
let credentials: { client_id: string; client_secret: string };
/** The API's own client, one of RESOURCE's introspection clients. */
let notesApi: { client_id: string; client_secret: string };
let secretsDir: string;
/** Opaque tokens from `tokens issue`, made one after the other before the tests. */
let opaque: string;
let revocable: { token: string; grant: string };

test.before(async () => {
  database = await createTestDatabase();
  await cliJson(database, [
    'resources',
    'create',
    '--identifier',
    RESOURCE,
    '--name',
    'Notes',
    '--scope',
    'notes:read=Read your notes',
    '--scope',
    'notes:write=Write your notes',
  ]);
  credentials = await cliJson(database, [
    'clients',
    'create',
    '--name',
    'reporting',
    '--grant',
    'client_credentials',
    '--resource',
    RESOURCE,
    '--scope',
    'notes:read',
    '--first-party',
  ]);
  notesApi = await cliJson(database, [
    'clients',
    'create',
    '--name',
    'notes-api',
    '--grant',
    'client_credentials',
  ]);
  await cliJson(database, [
    'resources',
    'update',
    RESOURCE,
    '--introspection-client',
    notesApi.client_id,
  ]);
  secretsDir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-example-api-'));
  ({ token: opaque } = await opaqueToken());
  revocable = await opaqueToken();
  serverPort = await freePort();
  issuer = `http://localhost:${serverPort}`;
  server = startCli(['serve', '--json'], {
    DATABASE_URL: database.url,
    PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
    PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    PORTCULLIS_PORT: String(serverPort),
    PORTCULLIS_HOST: '127.0.0.1',
    PORTCULLIS_ISSUER: issuer,
    PORTCULLIS_JANITOR_INTERVAL: 'off',
  });
  await server.firstLine();
});
test.after.always(async () => {
  await server?.stop('SIGTERM');
  await database?.drop();
  if (secretsDir) await rm(secretsDir, { recursive: true, force: true });
});

/** A client-credentials access token for RESOURCE with `scope`, from the running server. */
async function accessToken(scope: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${serverPort}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE, scope }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Starts `example-api --json` with `env`; resolves with it and its start-up line. */
async function startApi(env: Record<string, string>) {
  const port = await freePort();
  const api = startCli(['example-api', '--json'], {
    PORTCULLIS_API_PORT: String(port),
    PORTCULLIS_API_HOST: '127.0.0.1',
    ...env,
  });
  const summary = JSON.parse(await api.firstLine()) as Record<string, unknown>;
  return { api, summary, url: `http://127.0.0.1:${port}`, port };
}

/** An opaque token `tokens issue` gives `reporting` for RESOURCE, and its grant. */
async function opaqueToken(): Promise<{ token: string; grant: string }> {
  const issued = await cliJson<{ access_token: string; grant_id: string }>(database, [
    'tokens',
    'issue',
    '--client',
    'reporting',
    '--scope',
    'notes:read',
    '--resource',
    RESOURCE,
  ]);
  return { token: issued.access_token, grant: issued.grant_id };
}

const meWith = (url: string, token: string) =>
  fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });

test('it serves the notes API for its resource, with tokens from the issuer, and stops on SIGTERM', async (t) => {
  const { api, summary, url, port } = await startApi({
    PORTCULLIS_ISSUER: issuer,
    PORTCULLIS_API_RESOURCE: RESOURCE,
    PORTCULLIS_API_JWKS_URI: `http://127.0.0.1:${serverPort}/jwks`,
  });
  t.teardown(() => api.stop('SIGKILL'));
  t.deepEqual(summary, {
    issuer,
    resource: RESOURCE,
    jwks_uri: `http://127.0.0.1:${serverPort}/jwks`,
    introspection_client_id: null,
    revocation_feed: false,
    dpop: 'off',
    host: '127.0.0.1',
    port,
  });
  t.is((await fetch(`${url}/healthz`)).status, 200);

  const token = await accessToken('notes:read');
  const bearer = { authorization: `Bearer ${token}` };
  const me = await fetch(`${url}/me`, { headers: bearer });
  t.is(me.status, 200);
  t.like((await me.json()) as object, {
    sub: credentials.client_id,
    client_id: credentials.client_id,
    scope: 'notes:read',
  });
  t.is((await fetch(`${url}/notes`, { headers: bearer })).status, 200);

  const write = await fetch(`${url}/notes`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'hello' }),
  });
  t.is(write.status, 403);
  t.regex(write.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);

  const anonymous = await fetch(`${url}/me`);
  t.is(anonymous.status, 401);
  // The challenge names the metadata at the resource's own URL (RFC 9728).
  t.regex(
    anonymous.headers.get('www-authenticate') ?? '',
    /^Bearer .*resource_metadata="https:\/\/notes\.example\.com\/\.well-known\/oauth-protected-resource"/,
  );
  const forged = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}x` } });
  t.is(forged.status, 401);
  t.regex(forged.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  // Without an introspection client it accepts JWTs only, as it always did.
  const refused = await meWith(url, opaque);
  t.is(refused.status, 401);
  t.regex(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);

  t.is(await api.stop('SIGTERM'), 0, api.stderr());
  t.regex(api.stderr(), /received SIGTERM, stopping/);
  t.is(api.stdout(), `${JSON.stringify(summary)}\n`, 'one JSON line, nothing more');
});

test("without PORTCULLIS_API_JWKS_URI it finds the JWKS through the issuer's discovery document", async (t) => {
  const { api, summary, url } = await startApi({
    PORTCULLIS_ISSUER: issuer,
    PORTCULLIS_API_RESOURCE: RESOURCE,
  });
  t.teardown(() => api.stop('SIGKILL'));
  t.is(summary.jwks_uri, null);
  const token = await accessToken('notes:read');
  t.is((await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  t.is(await api.stop('SIGINT'), 0, api.stderr());
});

test('a token for another issuer or another audience is refused', async (t) => {
  const token = await accessToken('notes:read');
  const jwks = `http://127.0.0.1:${serverPort}/jwks`;
  const otherIssuer = await startApi({
    PORTCULLIS_ISSUER: 'https://auth.example.com',
    PORTCULLIS_API_RESOURCE: RESOURCE,
    PORTCULLIS_API_JWKS_URI: jwks,
  });
  t.teardown(() => otherIssuer.api.stop('SIGKILL'));
  const otherAudience = await startApi({
    PORTCULLIS_ISSUER: issuer,
    PORTCULLIS_API_RESOURCE: 'https://other.example.com',
    PORTCULLIS_API_JWKS_URI: jwks,
  });
  t.teardown(() => otherAudience.api.stop('SIGKILL'));
  for (const { url } of [otherIssuer, otherAudience]) {
    const response = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
    t.is(response.status, 401);
    t.regex(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  }
});

test('with an introspection client it accepts opaque tokens as well as JWTs; a revoked one at once without a cache, through the revocation feed with one', async (t) => {
  const env = {
    PORTCULLIS_ISSUER: issuer,
    PORTCULLIS_API_RESOURCE: RESOURCE,
    PORTCULLIS_API_JWKS_URI: `http://127.0.0.1:${serverPort}/jwks`,
    PORTCULLIS_API_INTROSPECTION_ENDPOINT: `http://127.0.0.1:${serverPort}/token/introspection`,
    PORTCULLIS_API_INTROSPECTION_CLIENT_ID: notesApi.client_id,
    PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET: notesApi.client_secret,
  };
  const cached = await startApi(env);
  t.teardown(() => cached.api.stop('SIGKILL'));
  t.is(cached.summary.introspection_client_id, notesApi.client_id);
  // With a client it follows the revocation feed, at /revocations next to the introspection
  // endpoint it was given (the issuer's name is not the one the API reaches the server by).
  t.is(cached.summary.revocation_feed, true);
  const uncached = await startApi({ ...env, PORTCULLIS_API_INTROSPECTION_CACHE: '0' });
  t.teardown(() => uncached.api.stop('SIGKILL'));

  const { token, grant } = revocable;
  for (const { url } of [cached, uncached]) {
    const me = await meWith(url, token);
    t.is(me.status, 200);
    t.like((await me.json()) as object, { client_id: credentials.client_id, scope: 'notes:read' });
    t.is((await meWith(url, await accessToken('notes:read'))).status, 200, 'JWTs still');
  }

  t.is((await cliWith(database, ['tokens', 'revoke', '--grant', grant])).code, 0);
  // Without a cache the revocation shows at once. The default cache (60 s) still holds the
  // answer, but the token carries its grant_id and the API follows the revocation feed, which
  // refuses it once the feed has brought the revocation, well before the cache time.
  const refused = await meWith(uncached.url, token);
  t.is(refused.status, 401);
  t.regex(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  let fromCache = await meWith(cached.url, token);
  for (let tries = 0; fromCache.status === 200 && tries < 200; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    fromCache = await meWith(cached.url, token);
  }
  t.is(fromCache.status, 401, 'refused from the cache through the revocation feed');
  t.regex(fromCache.headers.get('www-authenticate') ?? '', /error="invalid_token"/);

  for (const { api } of [cached, uncached]) {
    t.is(await api.stop('SIGTERM'), 0, api.stderr());
    t.false(api.stdout().includes(notesApi.client_secret), 'the secret is never printed');
    t.false(api.stderr().includes(notesApi.client_secret));
  }
});

test("the secret from a file, and the introspection endpoint from the issuer's discovery document", async (t) => {
  const file = path.join(secretsDir, 'notes-api-secret');
  await writeFile(file, `${notesApi.client_secret}\n`, { mode: 0o600 });
  const { api, url } = await startApi({
    PORTCULLIS_ISSUER: issuer,
    PORTCULLIS_API_RESOURCE: RESOURCE,
    PORTCULLIS_API_INTROSPECTION_CLIENT_ID: notesApi.client_id,
    PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET_FILE: file,
  });
  t.teardown(() => api.stop('SIGKILL'));
  t.is((await meWith(url, opaque)).status, 200);
  t.is(await api.stop('SIGTERM'), 0, api.stderr());
});

test('a human start-up line on stderr without --json; a port in use: one line, exit 1', async (t) => {
  const port = await freePort();
  const api = startCli(['example-api'], {
    PORTCULLIS_API_PORT: String(port),
    PORTCULLIS_API_HOST: '127.0.0.1',
  });
  t.teardown(() => api.stop('SIGKILL'));
  // Up to 50 s: a Node.js start on a machine loaded by a whole suite (fresh-machine --full) took
  // longer than the 5 s this waited before.
  for (let tries = 0; !api.stderr().includes('\n') && tries < 2000; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  t.is(
    api.stderr(),
    `portcullis example API http://localhost:${port} on 127.0.0.1:${port}, accepting tokens of http://localhost:3000\n`,
  );
  failsWithOneLine(
    t,
    await cliWith(database, ['example-api'], {
      env: { PORTCULLIS_API_PORT: String(port), PORTCULLIS_API_HOST: '127.0.0.1' },
    }),
    new RegExp(
      `^portcullis: port ${port} is already in use \\(127\\.0\\.0\\.1:${port}\\): stop what listens there, or set PORTCULLIS_API_PORT to another port\n$`,
    ),
  );
  t.is(await api.stop('SIGTERM'), 0, api.stderr());
  t.is(api.stdout(), '');
});

test('PORTCULLIS_API_DPOP=required: only DPoP-bound tokens, with proofs made for its resource', async (t) => {
  const { api, summary, url } = await startApi({
    PORTCULLIS_ISSUER: issuer,
    PORTCULLIS_API_RESOURCE: RESOURCE,
    PORTCULLIS_API_JWKS_URI: `http://127.0.0.1:${serverPort}/jwks`,
    PORTCULLIS_API_DPOP: 'required',
  });
  t.teardown(() => api.stop('SIGKILL'));
  t.is(summary.dpop, 'required');
  // A plain token is not enough: the challenge offers DPoP only.
  const bearer = await meWith(url, await accessToken('notes:read'));
  t.is(bearer.status, 401);
  t.regex(bearer.headers.get('www-authenticate') ?? '', /^DPoP realm="[^"]+", algs="/);
  const metadata = await fetch(`${url}/.well-known/oauth-protected-resource`);
  t.like((await metadata.json()) as object, {
    resource: RESOURCE,
    dpop_bound_access_tokens_required: true,
  });
});

const refusals: Array<[string, Record<string, string>, RegExp]> = [
  [
    'a revocation-feed switch that is not on or off',
    { PORTCULLIS_API_REVOCATION_FEED: 'yes' },
    /^portcullis: PORTCULLIS_API_REVOCATION_FEED must be on or off, got "yes"\n$/,
  ],
  [
    'the revocation feed on without an introspection client to read it as',
    { PORTCULLIS_API_REVOCATION_FEED: 'on' },
    /^portcullis: PORTCULLIS_API_REVOCATION_FEED=on needs PORTCULLIS_API_INTROSPECTION_CLIENT_ID: the API follows the feed as that client\n$/,
  ],
  [
    'a revocation-feed grace beyond an hour',
    { PORTCULLIS_API_REVOCATION_FEED_GRACE: '2h' },
    /^portcullis: PORTCULLIS_API_REVOCATION_FEED_GRACE must be a duration from 0s to 1h \(like 60s\), got "2h"\n$/,
  ],
  [
    'a DPoP mode that is not off, allowed or required',
    { PORTCULLIS_API_DPOP: 'on' },
    /^portcullis: PORTCULLIS_API_DPOP must be off, allowed or required, got "on"\n$/,
  ],
  [
    'a misspelt setting',
    { PORTCULLIS_API_JWKS_URL: 'http://localhost:3000/jwks' },
    /^portcullis: PORTCULLIS_API_JWKS_URL \(did you mean PORTCULLIS_API_JWKS_URI\?\) is not a setting/,
  ],
  [
    'a bad port',
    { PORTCULLIS_API_PORT: '4000x' },
    /^portcullis: PORTCULLIS_API_PORT must be a port number from 0 to 65535, got "4000x"\n$/,
  ],
  [
    'a bad host',
    { PORTCULLIS_API_HOST: 'not a host' },
    /^portcullis: PORTCULLIS_API_HOST must be an IP address or a host name, got "not a host"\n$/,
  ],
  [
    'an issuer that is not a URL',
    { PORTCULLIS_ISSUER: 'localhost:3000' },
    /^portcullis: PORTCULLIS_ISSUER must be an http or https URL, got "localhost:3000"\n$/,
  ],
  [
    'an issuer with a query',
    { PORTCULLIS_ISSUER: 'https://auth.example.com/?tenant=1' },
    /^portcullis: PORTCULLIS_ISSUER must not have a query, fragment or credentials\n$/,
  ],
  [
    'a resource that is not an absolute URL',
    { PORTCULLIS_API_RESOURCE: 'notes' },
    /^portcullis: PORTCULLIS_API_RESOURCE must be an absolute URL without a fragment, got "notes"\n$/,
  ],
  [
    'a JWKS URL that is not http',
    { PORTCULLIS_API_JWKS_URI: 'file:///etc/jwks.json' },
    /^portcullis: PORTCULLIS_API_JWKS_URI must be an http or https URL, got "file:\/\/\/etc\/jwks.json"\n$/,
  ],
  [
    'an introspection secret without a client id',
    { PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET: 'hunter2' },
    /^portcullis: PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET is set but PORTCULLIS_API_INTROSPECTION_CLIENT_ID is not: set both, or neither for an API that accepts JWTs only\n$/,
  ],
  [
    'an introspection client id without a secret',
    { PORTCULLIS_API_INTROSPECTION_CLIENT_ID: 'notes-api' },
    /^portcullis: PORTCULLIS_API_INTROSPECTION_CLIENT_ID needs its secret: set PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET or PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET_FILE\n$/,
  ],
  [
    'both a secret and a secret file',
    {
      PORTCULLIS_API_INTROSPECTION_CLIENT_ID: 'notes-api',
      PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET: 'hunter2',
      PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET_FILE: '/run/secrets/notes-api',
    },
    /^portcullis: set PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET or PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET_FILE, not both\n$/,
  ],
  [
    'a secret file that cannot be read',
    {
      PORTCULLIS_API_INTROSPECTION_CLIENT_ID: 'notes-api',
      PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET_FILE: '/nonexistent/notes-api',
    },
    /^portcullis: PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET_FILE: cannot read "\/nonexistent\/notes-api" \(ENOENT\)\n$/,
  ],
  [
    'a secret with a line break inside',
    {
      PORTCULLIS_API_INTROSPECTION_CLIENT_ID: 'notes-api',
      PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET: 'hunter2\nhunter3',
    },
    /^portcullis: PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET: the secret has a control character \(a stray line break\?\)\n$/,
  ],
  [
    'an introspection endpoint that is not http',
    {
      PORTCULLIS_API_INTROSPECTION_CLIENT_ID: 'notes-api',
      PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET: 'hunter2',
      PORTCULLIS_API_INTROSPECTION_ENDPOINT: 'ftp://auth.example.com/introspect',
    },
    /^portcullis: PORTCULLIS_API_INTROSPECTION_ENDPOINT must be an http or https URL, got "ftp:\/\/auth\.example\.com\/introspect"\n$/,
  ],
  [
    'a bad introspection cache time',
    {
      PORTCULLIS_API_INTROSPECTION_CLIENT_ID: 'notes-api',
      PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET: 'hunter2',
      PORTCULLIS_API_INTROSPECTION_CACHE: 'a minute',
    },
    /^portcullis: PORTCULLIS_API_INTROSPECTION_CACHE must be a duration from 0s to 1h \(like 60s\), got "a minute"\n$/,
  ],
];
for (const [what, env, why] of refusals) {
  test(`refuses ${what}: one line, exit 1, nothing started`, async (t) => {
    const result = await cliWith(database, ['example-api'], { env });
    failsWithOneLine(t, result, why);
    t.false(result.stderr.includes('hunter2'), 'a secret is never shown');
  });
}

test('--help has an example and names its settings', async (t) => {
  const help = await showsHelpWithExample(t, database, ['example-api']);
  for (const name of [
    'PORTCULLIS_ISSUER',
    'PORTCULLIS_API_RESOURCE',
    'PORTCULLIS_API_JWKS_URI',
    'PORTCULLIS_API_PORT',
    'PORTCULLIS_API_HOST',
    'PORTCULLIS_API_INTROSPECTION_CLIENT_ID',
    'PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET',
    'PORTCULLIS_API_INTROSPECTION_ENDPOINT',
    'PORTCULLIS_API_INTROSPECTION_CACHE',
    'PORTCULLIS_API_DPOP',
  ]) {
    t.regex(help, new RegExp(name));
  }
  t.regex(help, /Runs until SIGTERM or SIGINT, then stops and exits 0/);
});
