import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import {
  formAction,
  HttpBrowser,
  linkHref,
  type Stack,
  startStack,
  submitForm,
} from '../src/index.ts';

const REDIRECT = 'http://127.0.0.1:8767/callback';
const PASSWORD = 'grants-owner-password';

let database: TestDatabase;
let stack: Stack;
let app: { client_id: string; client_secret: string };

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(['users', 'create', '--username', 'carol', '--password-stdin'], `${PASSWORD}\n`);
  app = await stack.cli([
    'clients',
    'create',
    '--name',
    'Photo Printer',
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
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

async function post(
  browser: HttpBrowser,
  step: { response: Response; url: string },
  fields: Record<string, string>,
) {
  return (await submitForm(browser, step, fields)).next;
}

/** Authorises the app as carol (or `username`) in `browser`; returns the refresh token. */
async function authoriseApp(browser: HttpBrowser, username = 'carol') {
  const config = await client.discovery(
    new URL(stack.issuer),
    app.client_id,
    undefined,
    client.ClientSecretBasic(app.client_secret),
    {
      execute: [client.allowInsecureRequests],
    },
  );
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid offline_access notes:read',
    prompt: 'consent',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  let step = await browser.follow(url.href);
  for (let i = 0; i < 3 && !step.left; i += 1) {
    const page = await step.response.clone().text();
    step = page.includes('name="password"')
      ? await post(browser, step, { username, password: PASSWORD })
      : await post(browser, step, { decision: 'approve' });
  }
  const tokens = await client.authorizationCodeGrant(config, new URL(step.left as string), {
    pkceCodeVerifier: verifier,
  });
  return { config, refreshToken: tokens.refresh_token as string, sub: tokens.claims()?.sub };
}

// Serial: every test acts as carol, and the account page lists all of her grants.
test.serial(
  'the account page lists the authorised app with its scopes, and removing it revokes its tokens',
  async (t) => {
    const browser = new HttpBrowser(stack.issuer);
    const { config, refreshToken } = await authoriseApp(browser);

    const account = await browser.follow(`${stack.issuer}/account`);
    const page = await account.response.clone().text();
    t.regex(
      page,
      /Apps with access to your account/,
      'the app session signs in the account page too',
    );
    t.regex(page, /Photo Printer/);
    t.regex(page, /Read your notes/);
    t.regex(
      account.response.headers.get('content-security-policy') ?? '',
      /frame-ancestors 'none'/,
    );

    // "Remove access" is a link to a confirmation page; its form does the removal.
    const removal = linkHref(page, /Remove access for Photo Printer/) as string;
    t.regex(removal, /^\/account\/grants\/[^/]+\/revoke$/);
    const confirm = await browser.follow(`${stack.issuer}${removal}`);
    const confirmPage = await confirm.response.clone().text();
    t.is(confirm.response.status, 200);
    t.regex(confirmPage, /Remove access for Photo Printer\?/);
    t.regex(confirmPage, /Read your notes/);
    t.is(formAction(confirmPage), removal);
    t.regex(
      (await (await browser.follow(`${stack.issuer}/account`)).response.text()) ?? '',
      /Photo Printer/,
      'showing the confirmation removes nothing',
    );

    const forged = await browser.request(`${stack.issuer}${removal}`, {
      form: { csrf: 'forged' },
    });
    t.is(forged.status, 403, 'a revocation without the CSRF token is refused');

    const after = await post(browser, confirm, {});
    t.regex(await after.response.text(), /No app has access to your account/);
    const gone = await browser.request(`${stack.issuer}${removal}`);
    t.is(gone.status, 303, 'the confirmation of an access already removed goes back to the list');
    t.is(gone.headers.get('location'), '/account');
    const refreshed = await client.refreshTokenGrant(config, refreshToken).then(
      () => 'worked',
      (e: client.ResponseBodyError) => e.error,
    );
    t.is(refreshed, 'invalid_grant');
  },
);

test.serial(
  'signing in on the account page directly; a wrong password gets the generic message',
  async (t) => {
    const browser = new HttpBrowser(stack.issuer);
    const login = await browser.follow(`${stack.issuer}/account`);
    const wrong = await post(browser, login, { username: 'carol', password: 'not-her-password' });
    t.is(wrong.response.status, 401);
    const retry = await post(browser, wrong, { username: 'carol', password: PASSWORD });
    t.regex(await retry.response.text(), /Signed in as <strong>carol<\/strong>/);
  },
);

test.serial('grants list and revoke through the CLI', async (t) => {
  const { config, refreshToken } = await authoriseApp(new HttpBrowser(stack.issuer));
  const list = await stack.cli<Array<{ grant_id: string; client_id: string; scope: string }>>([
    'grants',
    'list',
    '--user',
    'carol',
  ]);
  const grant = list.find((g) => g.client_id === app.client_id);
  t.truthy(grant);
  t.regex(grant?.scope ?? '', /notes:read/);
  // Our grant ids (not oidc-provider's nanoid), which never start with "-" and so never read as
  // an option of the command below.
  t.regex(grant?.grant_id ?? '', /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  t.deepEqual(await stack.cli(['grants', 'revoke', grant?.grant_id as string]), { revoked: 1 });
  const refreshed = await client.refreshTokenGrant(config, refreshToken).then(
    () => 'worked',
    (e: client.ResponseBodyError) => e.error,
  );
  t.is(refreshed, 'invalid_grant');
  await t.throwsAsync(stack.cli(['grants', 'revoke', grant?.grant_id as string]), {
    message: /no grant/,
  });
  await t.throwsAsync(stack.cli(['grants', 'list', '--user', 'nobody']), { message: /no user/ });
});

test.serial(
  "a second account signing in on the account page gets a session of its own, not carol's apps",
  async (t) => {
    const erin = await stack.cli<{ id: string }>(
      ['users', 'create', '--username', 'erin', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    const browser = new HttpBrowser(stack.issuer);
    // A tab left on the account page's sign-in form, while carol signs in to the app in another.
    const login = await browser.follow(`${stack.issuer}/account`);
    await authoriseApp(browser);
    const signedIn = await post(browser, login, { username: 'erin', password: PASSWORD });
    const page = await signedIn.response.text();
    t.regex(page, /Signed in as <strong>erin<\/strong>/);
    t.notRegex(page, /Photo Printer/);

    // The app asks erin for consent, and its code is erin's (not a 500 over carol's grant).
    const { sub } = await authoriseApp(browser, 'erin');
    t.is(sub, erin.id);
  },
);
