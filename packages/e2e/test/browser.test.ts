import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import {
  accessibilityProblems,
  browserForTests,
  CHROMIUM_ARGS,
  discoverClient,
  type Stack,
  screenshot,
  startStack,
} from '../src/index.ts';

const PASSWORD = 'a-long-password';
const SCOPE = 'openid profile email offline_access notes:read';
const PHONE = { width: 480, height: 800 };
const DESKTOP = { width: 1280, height: 800 };
/** How long to wait for the browser to arrive at the callback before failing with a message. */
const CALLBACK_TIMEOUT_MS = 15_000;
/** A logo that loads: a 512×512 square from the callback server (http on loopback, as allowed). */
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><rect width="512" height="512" fill="#047857"/></svg>';

let database: TestDatabase;
let stack: Stack;
let browser: Browser;
let callbackServer: Server;
let callbackUrl: string;
type App = { client_id: string; client_secret: string };
let app: App;
/** Clients whose logo cannot load (nothing listens there) and whose logo does. */
let unreachableLogoApp: App;
let logoApp: App;
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
    if (url.pathname === '/logo.svg') {
      response.writeHead(200, { 'content-type': 'image/svg+xml' }).end(LOGO_SVG);
      return;
    }
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
  // bob has the account-page test to himself: the page lists every app of its user.
  await stack.cli(['users', 'create', '--username', 'bob', '--password-stdin'], `${PASSWORD}\n`);
  const createClient = (name: string, extra: string[] = []) =>
    stack.cli<App>([
      'clients',
      'create',
      '--name',
      name,
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
      ...extra,
    ]);
  app = await createClient('Notes Viewer');
  // https on 127.0.0.1 port 1: refused at once, without leaving the machine.
  unreachableLogoApp = await createClient('Lost Logo', [
    '--logo-uri',
    'https://127.0.0.1:1/logo.png',
  ]);
  logoApp = await createClient('Green Square', [
    '--logo-uri',
    new URL('/logo.svg', callbackUrl).href,
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
async function authorizationRequest(of: App = app) {
  const config = await discoverClient(stack.issuer, of);
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
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

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
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

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

test('switching accounts: signed in as alice, prompt=login, dave signs in; the app gets dave', async (t) => {
  // dave has this test to himself (bob's apps are listed by the account-page test).
  const dave = await stack.cli<{ id: string }>(
    ['users', 'create', '--username', 'dave', '--password-stdin'],
    `${PASSWORD}\n`,
  );
  const { page } = await newPage(t);
  // Without offline_access: logging alice out would revoke her grant to the app, which is what
  // went wrong (the sign-in in progress went with it).
  const first = await authorizationRequest();
  first.url.searchParams.set('scope', 'openid profile');
  await page.goto(first.url.href);
  await signIn(page, 'alice');
  const aliceArrived = callbackReceived(first.state);
  await page.getByRole('button', { name: 'Allow' }).click();
  t.truthy((await aliceArrived).searchParams.get('code'));

  const { config, verifier, state, url } = await authorizationRequest();
  url.searchParams.set('prompt', 'login consent');
  url.searchParams.set('scope', 'openid profile');
  await page.goto(url.href);
  t.is(await page.title(), 'Sign in · Portcullis', 'prompt=login asks again');
  await signIn(page, 'dave');
  await page.getByRole('button', { name: 'Allow' }).waitFor();
  t.regex((await page.locator('main').textContent()) ?? '', /Signed in as dave/);
  const arrived = callbackReceived(state);
  await page.getByRole('button', { name: 'Allow' }).click();
  const callback = await arrived;
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  t.is(tokens.claims()?.sub, dave.id);

  // The browser's session is dave's now: the account page says so.
  await page.goto(`${stack.issuer}/account`);
  t.regex((await page.locator('main').textContent()) ?? '', /Signed in as dave/);
});

/** Signs in on the login page the browser is on. */
async function signIn(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The focused element's id and outline, and the background of the card around it. */
async function focusRing(page: Page) {
  return (await page.evaluate(`(() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return {
      id: element.id || element.textContent.trim(),
      style: style.outlineStyle,
      width: parseFloat(style.outlineWidth),
      color: style.outlineColor,
      background: getComputedStyle(document.querySelector('main')).backgroundColor,
    };
  })()`)) as { id: string; style: string; width: number; color: string; background: string };
}

/** WCAG contrast ratio of two opaque CSS colours given as `rgb(r, g, b)`. */
function contrast(first: string, second: string): number {
  const luminance = (css: string) => {
    const match = /^rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)$/.exec(css);
    if (!match || (match[4] !== undefined && Number(match[4]) !== 1)) {
      throw new Error(`not an opaque rgb() colour: ${css}`);
    }
    const [r, g, b] = [match[1], match[2], match[3]].map((channel) => {
      const c = Number(channel) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a) as [
    number,
    number,
  ];
  return (light + 0.05) / (dark + 0.05);
}

test('contrast helper: the WCAG figures', (t) => {
  t.is(contrast('rgb(255, 255, 255)', 'rgb(0, 0, 0)'), 21);
  t.is(Math.round(contrast('rgb(245, 158, 11)', 'rgb(255, 255, 255)') * 100) / 100, 2.15);
});

test('the login page: no accessibility problem, and a focus ring of 3:1 or more', async (t) => {
  const { url } = await authorizationRequest();
  const { page } = await newPage(t);
  await page.goto(url.href);
  t.deepEqual(await accessibilityProblems(page), []);

  const field = await focusRing(page);
  t.is(field.id, 'username');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const button = await focusRing(page);
  t.is(button.id, 'Sign in');
  for (const ring of [field, button]) {
    t.is(ring.style, 'solid', ring.id);
    t.true(ring.width >= 2, `${ring.id}: ${ring.width}px`);
    const ratio = contrast(ring.color, ring.background);
    t.true(ratio >= 3, `${ring.id}: ${ring.color} on ${ring.background} is ${ratio.toFixed(2)}:1`);
  }
});

test('a wrong password: the generic message, the username kept, the focus on Password', async (t) => {
  const { state, url } = await authorizationRequest();
  const { page } = await newPage(t);
  await page.goto(url.href);
  await signIn(page, 'alice', 'not-the-password');

  await page.getByRole('alert').waitFor();
  t.is(await page.getByRole('alert').textContent(), 'The username or password is not right.');
  t.is(await page.getByLabel('Username', { exact: true }).inputValue(), 'alice');
  t.is(await page.getByLabel('Password', { exact: true }).inputValue(), '');
  t.is(await page.evaluate('document.activeElement.id'), 'password');
  t.deepEqual(await accessibilityProblems(page), []);

  // Straight on with the right password, from where the focus is: then the consent page.
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Allow' }).waitFor();
  t.deepEqual(await accessibilityProblems(page), []);
  const arrived = callbackReceived(state);
  await page.getByRole('button', { name: 'Allow' }).click();
  t.truthy((await arrived).searchParams.get('code'));
});

test('a client logo that cannot load is not shown at all; one that loads is', async (t) => {
  for (const [client, loads] of [
    [unreachableLogoApp, false],
    [logoApp, true],
  ] as const) {
    const { url } = await authorizationRequest(client);
    const { page, offHost } = await newPage(t);
    await page.goto(url.href);
    await signIn(page, 'alice');
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    await page.waitForFunction(`document.querySelector('.client img').complete`);
    const logo = (await page.evaluate(`(() => {
      const image = document.querySelector('.client img');
      const box = image.getBoundingClientRect();
      return { natural: image.naturalWidth, width: box.width, height: box.height };
    })()`)) as { natural: number; width: number; height: number };
    if (loads) {
      t.true(logo.natural > 0, 'the logo loads (the CSP allows its loopback origin)');
      t.deepEqual([logo.width, logo.height], [48, 48], 'scaled down to 3rem');
    } else {
      t.is(logo.natural, 0, 'the logo did not load');
      t.deepEqual([logo.width, logo.height], [0, 0], 'no broken-image box');
    }
    t.deepEqual(await accessibilityProblems(page), []);
    t.deepEqual(offHost, []);
  }
});

test('the account page: headings under the title, a distinct "Remove access" that asks first', async (t) => {
  const { state, url } = await authorizationRequest();
  const { page } = await newPage(t);
  await page.goto(`${stack.issuer}/account`);
  t.is(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign in');
  t.deepEqual(await accessibilityProblems(page), [], 'the account sign-in page');

  await page.goto(url.href);
  await signIn(page, 'bob');
  const arrived = callbackReceived(state);
  await page.getByRole('button', { name: 'Allow' }).click();
  await arrived;

  await page.goto(`${stack.issuer}/account`);
  t.is(await page.title(), 'Your apps · Portcullis');
  t.deepEqual(await accessibilityProblems(page), []);
  // Strings, not functions: this package is type-checked without the DOM library.
  const style = (selector: string, property: string) =>
    page.evaluate(
      `getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`,
    ) as Promise<string>;
  const [title, appHeading] = [
    Number.parseFloat(await style('h1', 'fontSize')),
    Number.parseFloat(await style('h2', 'fontSize')),
  ];
  t.true(
    title > appHeading,
    `the page title (${title}px) is bigger than an app's (${appHeading}px)`,
  );
  t.is(await page.getByRole('heading', { level: 2 }).first().textContent(), 'Notes Viewer');

  const remove = page.getByRole('link', { name: 'Remove access for Notes Viewer' });
  t.is(await remove.getAttribute('class'), 'button danger-outline');
  const look = async (selector: string) =>
    Promise.all(['color', 'borderTopColor', 'backgroundColor'].map((p) => style(selector, p)));
  const removeLook = await look('a.danger-outline');
  t.deepEqual(removeLook.slice(0, 2), ['rgb(185, 28, 28)', 'rgb(185, 28, 28)'], 'red: destructive');
  t.notDeepEqual(removeLook, await look('form.signed-in button'), 'not styled like Sign out');

  // Remove access: a confirmation page first; Cancel keeps the app.
  await remove.click();
  await page.waitForURL((u) => u.pathname.endsWith('/revoke'));
  t.is(await page.title(), 'Remove access · Portcullis');
  t.is(
    await page.getByRole('heading', { level: 1 }).textContent(),
    'Remove access for Notes Viewer?',
  );
  t.deepEqual(await accessibilityProblems(page), [], 'the confirmation page');
  await page.getByRole('link', { name: 'Cancel' }).click();
  await page.waitForURL((u) => u.pathname === '/account');
  t.is(await page.getByRole('heading', { level: 2 }).first().textContent(), 'Notes Viewer');

  await remove.click();
  const confirm = page.getByRole('button', { name: 'Remove access' });
  await confirm.waitFor();
  t.is(await style('button.danger', 'backgroundColor'), 'rgb(185, 28, 28)');
  await confirm.click();
  await page.waitForURL((u) => u.pathname === '/account');
  t.regex((await page.locator('main').textContent()) ?? '', /No app has access to your account/);
  t.deepEqual(await accessibilityProblems(page), [], 'the account page without apps');
});

test('the landing page links the account page and discovery', async (t) => {
  const { page } = await newPage(t);
  const response = await page.goto(`${stack.issuer}/`);
  t.is(response?.status(), 200);
  t.regex(response?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
  t.is(await page.title(), 'Authorization server · Portcullis');
  t.is(await page.getByRole('heading', { level: 1 }).textContent(), 'Portcullis');
  t.deepEqual(await accessibilityProblems(page), []);

  const account = page.getByRole('link', { name: 'Your account' });
  const discovery = page.getByRole('link', { name: 'OpenID Connect discovery' });
  t.is(await account.getAttribute('href'), '/account');
  t.is(await discovery.getAttribute('href'), '/.well-known/openid-configuration');
  await discovery.click();
  await page.waitForURL((u) => u.pathname === '/.well-known/openid-configuration');
  const metadata = JSON.parse((await page.locator('body').textContent()) ?? '') as {
    issuer: string;
  };
  t.is(metadata.issuer, stack.issuer);
  await page.goBack();
  await account.click();
  await page.waitForURL((u) => u.pathname === '/account');
  t.is(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign in');
});

test('the error page for an unknown client: no accessibility problem', async (t) => {
  const { page } = await newPage(t);
  const url = new URL('/auth', stack.issuer);
  url.search = new URLSearchParams({
    client_id: 'no-such-client',
    response_type: 'code',
    redirect_uri: callbackUrl,
    scope: 'openid',
  }).toString();
  const response = await page.goto(url.href);
  t.is(response?.status(), 400);
  t.is(
    await page.getByRole('heading', { level: 1 }).textContent(),
    'Something is wrong with this request',
  );
  t.deepEqual(await accessibilityProblems(page), []);
});

test('/favicon.ico: our icon, cached, and the browser can draw it', async (t) => {
  const { context } = await newPage(t);
  const response = await context.request.get(`${stack.issuer}/favicon.ico`);
  t.is(response.status(), 200);
  const headers = response.headers();
  t.is(headers['content-type'], 'image/x-icon');
  t.regex(headers['cache-control'] ?? '', /^public, max-age=\d+$/);
  t.truthy(headers.etag);
  const again = await context.request.get(`${stack.issuer}/favicon.ico`, {
    headers: { 'if-none-match': headers.etag ?? '' },
  });
  t.is(again.status(), 304);

  // Drawn in one of our pages, under its CSP (img-src 'self'), in a context without newPage's
  // request routing: Playwright fails every /favicon.ico request of a routed context.
  const plain = await browser.newContext();
  t.teardown(() => plain.close());
  const page = await plain.newPage();
  await page.goto(`${stack.issuer}/`);
  t.deepEqual(
    await page.evaluate(`new Promise((resolve) => {
      const image = new Image();
      image.onload = () => resolve([image.naturalWidth, image.naturalHeight]);
      image.onerror = () => resolve('not an image');
      image.src = '/favicon.ico';
    })`),
    [32, 32],
  );
});
