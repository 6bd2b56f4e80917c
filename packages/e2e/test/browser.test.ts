import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { browserForTests, discoverClient, type Stack, startStack } from '../src/index.ts';

// The chromium or Chrome that `pnpm test` found or installed (PORTCULLIS_BROWSER), never one
// downloaded by Playwright: the test reaches no network but 127.0.0.1.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
const PASSWORD = 'a-long-password';
const SCOPE = 'openid profile email offline_access notes:read';
const IMAGES = fileURLToPath(new URL('../../../docs/images/', import.meta.url));
const PHONE = { width: 480, height: 800 };
const DESKTOP = { width: 1280, height: 800 };
/** How long to wait for the browser to arrive at the callback before failing with a message. */
const CALLBACK_TIMEOUT_MS = 15_000;

let database: TestDatabase;
let stack: Stack;
let browser: Browser;
let callbackServer: Server;
let callbackUrl: string;
let app: { client_id: string; client_secret: string };
let userId: string;

/** Callback requests by `state`, whichever comes first: the request or the test waiting for it. */
const callbacks = new Map<string, { promise: Promise<URL>; resolve: (url: URL) => void }>();
const callbackFor = (state: string) => {
  let entry = callbacks.get(state);
  if (!entry) {
    let resolve: (url: URL) => void = () => {};
    const promise = new Promise<URL>((done) => {
      resolve = done;
    });
    entry = { promise, resolve };
    callbacks.set(state, entry);
  }
  return entry;
};

test.before(async () => {
  const executablePath = browserForTests(process.env);
  callbackServer = createServer((request, response) => {
    const url = new URL(request.url ?? '/', callbackUrl);
    response.writeHead(200, { 'content-type': 'text/plain' }).end('done');
    const state = url.searchParams.get('state');
    if (url.pathname === '/callback' && state) callbackFor(state).resolve(url);
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/callback`;

  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  const user = await stack.cli<{ id: string }>(
    [
      'users',
      'create',
      '--username',
      'alice',
      '--name',
      'Alice',
      '--email',
      'alice@example.com',
      '--password-stdin',
    ],
    `${PASSWORD}\n`,
  );
  userId = user.id;
  app = await stack.cli([
    'clients',
    'create',
    '--name',
    'Notes Viewer',
    '--homepage',
    'https://viewer.example',
    '--grant',
    'authorization_code',
    'refresh_token',
    '--redirect-uri',
    callbackUrl,
    '--resource',
    stack.api,
    '--scope',
    SCOPE,
  ]);
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
});

test.after.always(async () => {
  await browser?.close();
  await stack?.stop();
  await database?.drop();
  if (callbackServer?.listening) {
    callbackServer.closeAllConnections();
    await new Promise((resolve) => callbackServer.close(resolve));
  }
});

/** A fresh browser profile (no cookies) that may only talk to 127.0.0.1; closed after the test. */
async function newPage(
  t: { teardown(fn: () => Promise<void>): void },
  viewport = PHONE,
): Promise<{ page: Page; context: BrowserContext; offHost: string[] }> {
  const context = await browser.newContext({ viewport });
  t.teardown(() => context.close());
  const offHost: string[] = [];
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => {
      offHost.push(route.request().url());
      return route.abort();
    },
  );
  return { page: await context.newPage(), context, offHost };
}

/** The authorization request of a third-party app: PKCE S256, state, consent for offline_access. */
async function authorizationRequest() {
  const config = await discoverClient(stack.issuer, app);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    prompt: 'consent',
  });
  return { config, verifier, state, url };
}

/** Resolves with the URL the callback server received for `state`, or fails after a timeout. */
async function callbackReceived(state: string): Promise<URL> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the browser did not reach ${callbackUrl} with this state`)),
      CALLBACK_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([callbackFor(state).promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(IMAGES, { recursive: true });
  await page.screenshot({ path: `${IMAGES}${name}`, animations: 'disabled', caret: 'hide' });
}

test('sign in and allow: the app gets a code, then tokens for alice', async (t) => {
  const { config, verifier, state, url } = await authorizationRequest();
  const { page, offHost } = await newPage(t);

  await page.goto(url.href);
  t.is(await page.title(), 'Sign in · Portcullis');
  t.is(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign in');
  t.regex((await page.locator('main').textContent()) ?? '', /to continue to Notes Viewer/);
  const username = page.getByLabel('Username', { exact: true });
  const password = page.getByLabel('Password', { exact: true });
  t.is(await username.getAttribute('type'), 'text');
  t.is(await password.getAttribute('type'), 'password');
  await screenshot(page, 'login.png');

  await username.fill('alice');
  await password.fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await page.waitForURL((u) => u.origin === stack.issuer && u.pathname !== '/auth');
  const heading = page.getByRole('heading', { level: 1 });
  await heading.waitFor();
  t.is(await page.title(), 'Authorize · Portcullis');
  t.is(await heading.textContent(), 'Notes Viewer wants to access your account');
  const scopes = await page.getByRole('listitem').allTextContents();
  t.true(
    scopes.some((s) => s.startsWith('Read your notes')),
    `the scope description registered on the resource, in: ${JSON.stringify(scopes)}`,
  );
  t.regex((await page.locator('main').textContent()) ?? '', /Signed in as alice/);
  await screenshot(page, 'consent.png');
  await page.setViewportSize(DESKTOP);
  await screenshot(page, 'consent-desktop.png');

  const arrived = callbackReceived(state);
  await page.getByRole('button', { name: 'Allow' }).click();
  const callback = await arrived;
  t.is(callback.pathname, '/callback');
  t.is(callback.searchParams.get('state'), state);
  t.truthy(callback.searchParams.get('code'));
  t.is(callback.searchParams.get('error'), null);
  await page.waitForURL((u) => u.pathname === '/callback');
  t.is(await page.locator('body').textContent(), 'done');

  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  const claims = tokens.claims();
  t.is(claims?.iss, stack.issuer);
  t.is(claims?.aud, app.client_id);
  t.is(claims?.sub, userId);
  t.is(claims?.preferred_username, 'alice');
  t.is(claims?.email, 'alice@example.com');
  t.truthy(tokens.refresh_token, 'offline_access with prompt=consent gives a refresh token');
  t.deepEqual(offHost, [], 'the pages load nothing from anywhere else');
});

test('deny: the app gets access_denied at its callback', async (t) => {
  const { state, url } = await authorizationRequest();
  const { page } = await newPage(t);
  await page.goto(url.href);
  await page.getByLabel('Username', { exact: true }).fill('alice');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  const arrived = callbackReceived(state);
  await page.getByRole('button', { name: 'Deny' }).click();
  const callback = await arrived;
  t.is(callback.searchParams.get('error'), 'access_denied');
  t.is(callback.searchParams.get('state'), state);
  t.is(callback.searchParams.get('code'), null);
});

test('keyboard only: Tab between the fields, Enter signs in, Tab and Enter allow', async (t) => {
  const { state, url } = await authorizationRequest();
  const { page } = await newPage(t);
  // A string, not a function: this package is type-checked without the DOM library.
  const focused = async () =>
    (await page.evaluate(`(() => {
      const element = document.activeElement;
      return {
        id: element?.id ?? '',
        value: element?.value ?? '',
        outline: element ? getComputedStyle(element).outlineStyle : '',
      };
    })()`)) as { id: string; value: string; outline: string };

  await page.goto(url.href);
  t.is((await focused()).id, 'username', 'the username field has the focus on arrival');
  await page.keyboard.type('alice');
  await page.keyboard.press('Tab');
  t.is((await focused()).id, 'password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');

  await page.getByRole('button', { name: 'Allow' }).waitFor();
  let current = await focused();
  for (let presses = 0; presses < 10 && current.value !== 'approve'; presses += 1) {
    await page.keyboard.press('Tab');
    current = await focused();
  }
  t.is(current.value, 'approve', 'Tab reaches the Allow button');
  t.not(current.outline, 'none', 'the focused button shows a focus ring');

  const arrived = callbackReceived(state);
  await page.keyboard.press('Enter');
  const callback = await arrived;
  t.truthy(callback.searchParams.get('code'));
  t.is(callback.searchParams.get('state'), state);
});
