import { randomBytes } from 'node:crypto';
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

const refusals: Array<[string, Record<string, string>, RegExp]> = [
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
];
for (const [what, env, why] of refusals) {
  test(`refuses ${what}: one line, exit 1, nothing started`, async (t) => {
    failsWithOneLine(t, await cliWith(database, ['example-api'], { env }), why);
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
  ]) {
    t.regex(help, new RegExp(name));
  }
  t.regex(help, /Runs until SIGTERM or SIGINT, then stops and exits 0/);
});
