import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { discoverClient, HttpBrowser, type Stack, startStack, submitForm } from '../src/index.ts';

// Consent belongs to the user and the app, not to a browser session (issue 12, item 2): every
// test signs dave in from a new browser (a new cookie jar) and looks at the one grant he has.

const REDIRECT = 'http://127.0.0.1:8768/callback';
const PASSWORD = 'remembered-consent-password';

let database: TestDatabase;
let stack: Stack;
let app: { client_id: string; client_secret: string };

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(['users', 'create', '--username', 'dave', '--password-stdin'], `${PASSWORD}\n`);
  app = await stack.cli([
    'clients',
    'create',
    '--name',
    'Note Taker',
    '--grant',
    'authorization_code',
    'refresh_token',
    '--redirect-uri',
    REDIRECT,
    '--resource',
    stack.api,
    '--scope',
    'openid offline_access notes:read notes:write',
  ]);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

interface Grant {
  grant_id: string;
  scope: string;
}
const grants = (): Promise<Grant[]> =>
  stack.cli(['grants', 'list', '--user', 'dave', '--json']) as Promise<Grant[]>;

/**
 * Signs dave in from a new browser and asks for `scope`; every consent page is kept and
 * approved. Returns the pages seen and the grant the issued token came from.
 */
async function signIn(scope: string, extra: Record<string, string> = {}) {
  const browser = new HttpBrowser(stack.issuer);
  const config = await discoverClient(stack.issuer, app);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope,
    resource: stack.api,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  const consentPages: string[] = [];
  let step = await browser.follow(url.href);
  for (let i = 0; i < 3 && !step.left; i += 1) {
    const page = await step.response.clone().text();
    if (!page.includes('name="password"')) consentPages.push(page);
    const fields: Record<string, string> = page.includes('name="password"')
      ? { username: 'dave', password: PASSWORD }
      : { decision: 'approve' };
    step = (await submitForm(browser, step, fields)).next;
  }
  const tokens = await client.authorizationCodeGrant(config, new URL(step.left as string), {
    pkceCodeVerifier: verifier,
  });
  return { browser, consentPages, scope: tokens.scope };
}

// Serial: each test builds on the grant the one before left.
test.serial('a new browser session reuses the approval: no consent page, same grant', async (t) => {
  const first = await signIn('openid offline_access notes:read');
  t.is(first.consentPages.length, 1, 'the first sign-in asks');
  const [grant] = await grants();

  const second = await signIn('openid offline_access notes:read');
  t.deepEqual(second.consentPages, [], 'a new browser is not asked again');
  t.regex(second.scope ?? '', /notes:read/);
  t.deepEqual(
    (await grants()).map((g) => g.grant_id),
    [grant?.grant_id],
    'one grant, the same',
  );
});

test.serial('a new scope is asked alone, and the same grant grows', async (t) => {
  const [before] = await grants();
  const { consentPages, scope } = await signIn('openid offline_access notes:read notes:write');
  t.is(consentPages.length, 1);
  const page = consentPages[0] ?? '';
  const [asked, allowed] = page.split('You already allowed it to:');
  t.regex(asked ?? '', /notes:write/, 'the new scope is asked for');
  t.notRegex(asked ?? '', /notes:read/, 'what was allowed is not asked again');
  t.regex(allowed ?? '', /notes:read/, 'and is listed apart');
  t.regex(scope ?? '', /notes:write/);
  const after = await grants();
  t.deepEqual(
    after.map((g) => g.grant_id),
    [before?.grant_id],
  );
  t.regex(after[0]?.scope ?? '', /notes:read/);
  t.regex(after[0]?.scope ?? '', /notes:write/);

  const again = await signIn('openid notes:write');
  t.deepEqual(again.consentPages, [], 'the grown grant covers the new scope in the next session');
});

test.serial('prompt=consent always asks, and adds no grant', async (t) => {
  const [before] = await grants();
  const { consentPages } = await signIn('openid notes:read', { prompt: 'consent' });
  t.is(consentPages.length, 1);
  t.regex(consentPages[0] ?? '', /confirm access again/);
  t.deepEqual(
    (await grants()).map((g) => g.grant_id),
    [before?.grant_id],
  );
});

test.serial(
  'a revoked grant is not reused: the next sign-in asks and makes a new one',
  async (t) => {
    const [before] = await grants();
    await stack.cli(['grants', 'revoke', before?.grant_id ?? '']);
    const { consentPages } = await signIn('openid offline_access notes:read');
    t.is(consentPages.length, 1, 'asked again');
    const after = await grants();
    t.is(after.length, 1);
    t.not(after[0]?.grant_id, before?.grant_id);
  },
);

test.serial('signing out of one browser keeps the approval for the others', async (t) => {
  // No offline_access: oidc-provider itself keeps the grants of offline tokens through a logout.
  const { browser } = await signIn('openid notes:read');
  const [before] = await grants();
  const logout = await browser.follow(`${stack.issuer}/session/end`);
  const { next: ended } = await submitForm(browser, logout, { logout: 'yes' });
  t.regex(await ended.response.text(), /You are signed out/);
  const { consentPages } = await signIn('openid offline_access notes:read');
  t.deepEqual(consentPages, []);
  t.deepEqual(
    (await grants()).map((g) => g.grant_id),
    [before?.grant_id],
  );
});

test.serial('a user disabled (grants revoked) and enabled again is asked again', async (t) => {
  const [before] = await grants();
  await stack.cli(['users', 'disable', 'dave']);
  await stack.cli(['users', 'enable', 'dave']);
  const { consentPages } = await signIn('openid offline_access notes:read');
  t.is(consentPages.length, 1);
  const after = await grants();
  t.is(after.length, 1);
  t.not(after[0]?.grant_id, before?.grant_id);
});
