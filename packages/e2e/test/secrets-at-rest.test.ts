import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import {
  discoverClient,
  HttpBrowser,
  type Stack,
  shownSeed,
  startStack,
  submitForm,
  totpCode,
} from '../src/index.ts';

// Issue 12: no column of any table holds a code, token, session id or interaction uid that the
// server handed out. Every flow runs first, collecting each such value from the responses, the
// redirects and the cookies; then every column of every table is read as text and searched.

const REDIRECT = 'http://127.0.0.1:8767/callback';
const PASSWORD = 'correct horse battery staple';

let database: TestDatabase;
let stack: Stack;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(['users', 'create', '--username', 'alice', '--password-stdin'], `${PASSWORD}\n`);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

/** The values handed out, and where they were seen (for the failure message). */
class Handed {
  readonly values = new Map<string, string>();
  add(where: string, value: unknown) {
    if (typeof value === 'string' && value.length >= 8) this.values.set(value, where);
  }
  /** Every cookie value the server set, and the interaction uids in the URLs of our pages. */
  addBrowser(where: string, browser: HttpBrowser, urls: readonly string[]) {
    for (const cookie of browser.cookiesSet) this.add(`${where}: cookie`, cookie);
    for (const url of urls)
      this.add(`${where}: interaction uid`, /\/interaction\/([^/?]+)/.exec(url)?.[1]);
  }
}

/** Authorization code + PKCE with sign-in and consent, like a browser. */
async function authorizationCodeFlow(handed: Handed) {
  const app = await stack.cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    'Notes Viewer',
    '--grant',
    'authorization_code',
    'refresh_token',
    '--redirect-uri',
    REDIRECT,
    '--resource',
    stack.api,
    '--scope',
    'openid offline_access notes:read',
  ]);
  const config = await discoverClient(stack.issuer, app);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid offline_access notes:read',
    resource: stack.api,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    prompt: 'consent',
    state,
  });
  const browser = new HttpBrowser(stack.issuer);
  const login = await browser.follow(url.href);
  const { next: consent } = await submitForm(browser, login, {
    username: 'alice',
    password: PASSWORD,
  });
  const { next: back } = await submitForm(browser, consent, { decision: 'approve' });
  if (!back.left) throw new Error(`no redirect back: ${back.response.status}`);
  handed.addBrowser('authorization code flow', browser, [login.url, consent.url]);
  const callback = new URL(back.left);
  handed.add('authorization code', callback.searchParams.get('code'));

  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
  for (const [name, set] of [
    ['code grant', tokens],
    ['refresh', refreshed],
  ] as const) {
    handed.add(`${name}: access token`, set.access_token);
    handed.add(`${name}: refresh token`, set.refresh_token);
    handed.add(`${name}: ID token`, set.id_token);
  }
  return { app, config };
}

/** The device flow: the device asks, the user types the code in, signs in, approves. */
async function deviceFlow(handed: Handed) {
  const tv = await stack.cli<{ client_id: string }>([
    'clients',
    'create',
    '--name',
    'Living-room TV',
    '--public',
    '--grant',
    'device_code',
    'refresh_token',
    '--scope',
    'openid offline_access',
  ]);
  const config = await client.discovery(
    new URL(stack.issuer),
    tv.client_id,
    undefined,
    client.None(),
    {
      execute: [client.allowInsecureRequests],
    },
  );
  const device = await client.initiateDeviceAuthorization(config, {
    scope: 'openid offline_access',
  });
  handed.add('device code', device.device_code);
  handed.add('user code', device.user_code);
  handed.add('user code, as stored', device.user_code.replace(/\W/g, ''));

  const browser = new HttpBrowser(stack.issuer);
  const entry = await browser.follow(device.verification_uri);
  const { next: confirm } = await submitForm(browser, entry, { user_code: device.user_code });
  const { next: login } = await submitForm(browser, confirm, {}, 'op.deviceConfirmForm');
  const { next: consent } = await submitForm(browser, login, {
    username: 'alice',
    password: PASSWORD,
  });
  const { next: done } = await submitForm(browser, consent, { decision: 'approve' });
  if (!/Device connected/.test(await done.response.text())) throw new Error('device not connected');
  handed.addBrowser('device flow', browser, [login.url, consent.url]);

  const tokens = await client.genericGrantRequest(
    config,
    'urn:ietf:params:oauth:grant-type:device_code',
    { device_code: device.device_code },
  );
  handed.add('device flow: access token', tokens.access_token);
  handed.add('device flow: refresh token', tokens.refresh_token);
}

/**
 * An authenticator app set up on /account (issue 13, item 1): its seed as the page shows it, the
 * recovery codes (as shown and as typed without dashes), and the cookies of /account's code step.
 */
async function secondFactorFlow(handed: Handed) {
  await stack.cli(['users', 'create', '--username', 'tobi', '--password-stdin'], `${PASSWORD}\n`);
  const browser = new HttpBrowser(stack.issuer);
  const login = await browser.follow(`${stack.issuer}/account`);
  await submitForm(browser, login, { username: 'tobi', password: PASSWORD });
  const setup = await browser.follow(`${stack.issuer}/account/mfa`);
  const seed = shownSeed(await setup.response.clone().text());
  handed.add('second factor: authenticator seed', seed);
  const { next } = await submitForm(browser, setup, { code: totpCode(seed, -1) });
  for (const [code] of (await next.response.text()).matchAll(/[a-z2-7]{4}(-[a-z2-7]{4}){3}/g)) {
    handed.add('second factor: recovery code', code);
    handed.add('second factor: recovery code', code.replaceAll('-', ''));
  }
  const again = new HttpBrowser(stack.issuer);
  const form = await again.follow(`${stack.issuer}/account`);
  const step = await submitForm(again, form, { username: 'tobi', password: PASSWORD });
  await submitForm(again, step.next, { code: totpCode(seed) });
  handed.addBrowser('second factor', again, []);
}

/** Every column of every table of the schema, as text: table, column and value. */
async function everyStoredValue() {
  const columns: Array<{ table_name: string; column_name: string }> = await database
    .db('information_schema.columns')
    .where({ table_schema: database.db.raw('current_schema()') })
    .select('table_name', 'column_name');
  const stored: Array<{ where: string; text: string }> = [];
  for (const { table_name: table, column_name: column } of columns) {
    const rows: Array<{ text: string | null }> = await database.db
      .raw('SELECT ??::text AS text FROM ??', [column, table])
      .then((result: { rows: Array<{ text: string | null }> }) => result.rows);
    for (const { text } of rows) if (text) stored.push({ where: `${table}.${column}`, text });
  }
  return { columns: columns.length, stored };
}

test('after every flow, no column of any table holds a token, code, session id or interaction uid', async (t) => {
  const handed = new Handed();
  const { app, config } = await authorizationCodeFlow(handed);
  await deviceFlow(handed);
  await secondFactorFlow(handed);
  const issued = await stack.cli<{ access_token: string }>([
    'tokens',
    'issue',
    '--client',
    app.client_id,
    '--user',
    'alice',
    '--scope',
    'notes:read',
    '--resource',
    stack.api,
  ]);
  handed.add('tokens issue', issued.access_token);
  const introspected = await client.tokenIntrospection(config, issued.access_token);
  t.true(introspected.active, 'the opaque token is found by its digest');

  const kinds = new Set([...handed.values.values()].map((where) => where.replace(/^.*: /, '')));
  for (const kind of [
    'authorization code',
    'refresh token',
    'device code',
    'interaction uid',
    'cookie',
    'authenticator seed',
    'recovery code',
  ]) {
    t.true(kinds.has(kind), `collected: ${kind}`);
  }
  const { columns, stored } = await everyStoredValue();
  t.true(columns > 20 && stored.length > 50, 'read the whole schema');
  const found = stored.flatMap(({ where, text }) =>
    [...handed.values]
      .filter(([value]) => text.includes(value))
      .map(([, what]) => `${what} in ${where}`),
  );
  t.deepEqual(found, []);
});
