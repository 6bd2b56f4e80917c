import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { type AuthServer, createClientsService, createUsersService } from '../src/index.ts';
import { METADATA_MAX_AGE_SECONDS } from '../src/provider/cache-metadata.ts';
import { type Json, startAuthServer } from './helpers.ts';

// Requests as an attacker sends them: node:http, because fetch() will not forge a Host header.
const FORGED = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'https',
};
const REDIRECT = 'http://127.0.0.1:9/callback';
const PASSWORD = 'carols-long-password';

let database: TestDatabase;
/** One server trusting the forwarding headers, one not: both must publish the issuer's URLs. */
const servers: Record<'direct' | 'proxied', { server: AuthServer; url: string }> = {} as never;
let tv: string;
let webApp: string;

test.before(async () => {
  database = await createTestDatabase();
  // One database, so one key-encryption key for both.
  const secrets = { PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') };
  servers.direct = await startAuthServer(database, secrets);
  servers.proxied = await startAuthServer(database, { ...secrets, PORTCULLIS_TRUST_PROXY: 'true' });
  await createUsersService(database.db).create({ username: 'carol', password: PASSWORD });
  const clients = createClientsService(database.db);
  tv = (
    await clients.create({ name: 'TV', grants: ['device_code'], public: true, scopes: ['openid'] })
  ).client.id;
  webApp = (
    await clients.create({
      name: 'Web app',
      grants: ['authorization_code'],
      redirectUris: [REDIRECT],
      scopes: ['openid'],
    })
  ).client.id;
});

test.after.always(async () => {
  for (const { server } of Object.values(servers)) await server?.close();
  await database?.drop();
});

async function send(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    form?: Record<string, string>;
  } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? (body ? 'POST' : 'GET'),
        headers: {
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The web app's authorization request, with `extra` parameters. */
function authorizationQuery(extra: Record<string, string>): URLSearchParams {
  return new URLSearchParams({
    client_id: webApp,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    ...extra,
  });
}

/** The cookies a response sets, as a Cookie header. */
function cookiesOf(response: Awaited<ReturnType<typeof send>>): string {
  return [response.headers['set-cookie'] ?? []]
    .flat()
    .map((line) => line.split(';')[0])
    .join('; ');
}

/** Every string in a JSON document that looks like a URL. */
function urlsIn(json: Json): string[] {
  return Object.values(json).filter(
    (value): value is string => typeof value === 'string' && /^[a-z]+:\/\//.test(value),
  );
}

for (const [name, headers] of [
  ['a forged Host', { host: FORGED.host }],
  ['forged X-Forwarded-Host and X-Forwarded-Proto', FORGED],
] as const) {
  for (const which of ['direct', 'proxied'] as const) {
    test(`${name}, ${which === 'proxied' ? 'with' : 'without'} PORTCULLIS_TRUST_PROXY: discovery and the device flow publish the issuer's URLs`, async (t) => {
      const { url: issuer } = servers[which];
      for (const path of [
        '/.well-known/openid-configuration',
        '/.well-known/oauth-authorization-server',
      ]) {
        const response = await send(`${issuer}${path}`, { headers });
        t.is(response.status, 200, path);
        const document = JSON.parse(response.body) as Json;
        t.is(document.issuer, issuer);
        const urls = urlsIn(document);
        t.true(urls.length >= 8, `${path}: ${urls.join(' ')}`);
        for (const url of urls) {
          t.true(url === issuer || url.startsWith(`${issuer}/`), `${path}: ${url}`);
        }
      }

      const device = await send(`${issuer}/device/auth`, {
        headers,
        form: { client_id: tv, scope: 'openid' },
      });
      t.is(device.status, 200, device.body);
      const codes = JSON.parse(device.body) as Json;
      t.is(codes.verification_uri, `${issuer}/device`);
      t.true(String(codes.verification_uri_complete).startsWith(`${issuer}/device?user_code=`));
    });
  }
}

test('a forged Host: the return from the login page to the authorization is on the issuer', async (t) => {
  const { url: issuer } = servers.proxied;
  const query = authorizationQuery({
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  const started = await send(`${issuer}/auth?${query}`, { headers: FORGED });
  t.is(started.status, 303);
  // The login page itself is a path, on whatever host the browser used.
  const loginPath = String(started.headers.location);
  t.regex(loginPath, /^\/interaction\/[\w-]+$/);
  const cookie = cookiesOf(started);
  const page = await send(`${issuer}${loginPath}`, { headers: { ...FORGED, cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const signedIn = await send(`${issuer}${loginPath}/login`, {
    headers: { ...FORGED, cookie },
    form: { csrf, username: 'carol', password: PASSWORD },
  });
  t.is(signedIn.status, 303, signedIn.body);
  t.is(signedIn.headers.location, `${issuer}/auth/${loginPath.split('/').pop()}`);
});

test('discovery and the JWKS may be cached, for less time than a new key waits to sign', async (t) => {
  const { url: issuer } = servers.direct;
  for (const path of [
    '/.well-known/openid-configuration',
    '/.well-known/oauth-authorization-server',
    '/jwks',
  ]) {
    const response = await send(`${issuer}${path}`);
    t.is(response.status, 200, path);
    t.is(response.headers['cache-control'], `public, max-age=${METADATA_MAX_AGE_SECONDS}`, path);
  }
  t.true(METADATA_MAX_AGE_SECONDS <= 600);
  // Errors and everything else keep oidc-provider's own caching.
  const token = await send(`${issuer}/token`, { form: { grant_type: 'client_credentials' } });
  t.not(token.headers['cache-control'], `public, max-age=${METADATA_MAX_AGE_SECONDS}`);
});

/** The CSP of an auto-submit page, checked against the page's one inline script. */
function assertAutoSubmitHeaders(t: ExecutionContext, response: Awaited<ReturnType<typeof send>>) {
  t.regex(response.body, /document\.forms\[0\]\.submit\(\)/, 'an auto-submit page');
  const script = /<script>([\s\S]*?)<\/script>/.exec(response.body)?.[1] ?? '';
  const hash = createHash('sha256').update(script).digest('base64');
  const policy = String(response.headers['content-security-policy']);
  t.regex(policy, /default-src 'none'/);
  t.regex(policy, /frame-ancestors 'none'/);
  t.true(policy.includes(`script-src 'sha256-${hash}'`), policy);
  t.notRegex(policy, /unsafe-inline/);
  t.is(response.headers['x-frame-options'], 'DENY');
  t.is(response.headers['referrer-policy'], 'no-referrer');
  t.is(response.headers['x-content-type-options'], 'nosniff');
  t.is(response.headers['cache-control'], 'no-store');
}

test('the form_post auto-submit page carries our page headers, its script allowed by hash', async (t) => {
  const { url: issuer } = servers.direct;
  // No PKCE challenge: the error goes back to the registered redirect URI, by form post.
  const query = authorizationQuery({ response_mode: 'form_post', state: 'abc' });
  const response = await send(`${issuer}/auth?${query}`);
  t.regex(response.body, new RegExp(`action="${REDIRECT}"`));
  assertAutoSubmitHeaders(t, response);
});

test('the logout auto-submit page (no session) carries our page headers', async (t) => {
  const response = await send(`${servers.direct.url}/session/end`);
  t.is(response.status, 200);
  t.regex(response.body, /session\/end\/confirm/);
  assertAutoSubmitHeaders(t, response);
});
