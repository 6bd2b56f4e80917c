// "Sign in with" in chromium: the login page's provider button, the upstream Portcullis's own
// login, and our pages on the way back (linking an account, no account, a provider that does not
// answer), each checked with axe-core (zero violations), used with the keyboard alone, and
// screenshot into docs/images.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import * as client from 'openid-client';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import {
  accessibilityProblems,
  browserForTests,
  CHROMIUM_ARGS,
  createCodeClient,
  discoverClient,
  type Stack,
  screenshot,
} from '../src/index.ts';
import {
  createUnreachableProvider,
  type Federation,
  LOCAL_PASSWORD,
  PASSWORD,
  startFederation,
} from './identity-provider-fixtures.ts';

let federation: Federation;
let upstream: Stack;
let downstream: Stack;
let browser: Browser;
let callbackServer: Server;
let callbackUrl: string;
let app: { client_id: string; client_secret: string };

test.before(async () => {
  callbackServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('signed in');
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/callback`;
  // A browser keeps cookies by host, not port: the upstream on [::1] keeps its session cookie
  // apart from ours (on 127.0.0.1), as two real servers' would be.
  federation = await startFederation('alice', { upstreamHost: '::1' });
  ({ upstream, downstream } = federation);
  await createUnreachableProvider(downstream);
  app = await createCodeClient(downstream, 'Notes Viewer', callbackUrl, 'openid notes:read', [
    '--first-party',
  ]);
  browser = await chromium.launch({
    executablePath: browserForTests(process.env),
    args: CHROMIUM_ARGS,
  });
});

test.after.always(async () => {
  await browser?.close();
  await federation?.stop();
  callbackServer?.closeAllConnections();
  callbackServer?.close();
});

/**
 * A page at the app's authorization request (our login page): in a fresh profile that reaches
 * only 127.0.0.1, or as another tab of `context`.
 */
async function loginPage(
  t: { teardown(fn: () => Promise<void>): void },
  context?: BrowserContext,
): Promise<Page> {
  if (!context) {
    context = await browser.newContext({ viewport: { width: 480, height: 860 } });
    t.teardown(() => (context as BrowserContext).close());
    await context.route(
      (url) => url.hostname !== '127.0.0.1' && url.hostname !== '[::1]',
      (route) => route.abort(),
    );
  }
  const config = await discoverClient(downstream.issuer, app);
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl,
    scope: 'openid notes:read',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  });
  const page = await context.newPage();
  await page.goto(url.href);
  return page;
}

/** Signs in at the upstream Portcullis's own login page. */
async function upstreamSignIn(page: Page, username: string) {
  await page.waitForURL((url) => url.origin === upstream.issuer);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test.serial(
  'the login page with provider buttons: accessible, and the keyboard alone reaches a provider',
  async (t) => {
    const page = await loginPage(t);
    t.deepEqual(await accessibilityProblems(page), []);
    await screenshot(page, 'login-identity-providers.png');
    // The providers' buttons ("Sign in with a passkey" is the login page's own).
    const buttons = page.getByRole('button', { name: /^Sign in with (?!a passkey)/ });
    t.deepEqual(await buttons.allTextContents(), [
      'Sign in with Acme SSO',
      'Sign in with Down SSO',
    ]);
    // The focus starts on the username; Tab goes through the password form (and its links) to the
    // first provider's button.
    const focused = () => page.evaluate('document.activeElement.textContent.trim()');
    for (let i = 0; i < 8 && (await focused()) !== 'Sign in with Acme SSO'; i += 1) {
      await page.keyboard.press('Tab');
    }
    t.is(await focused(), 'Sign in with Acme SSO');
    await page.keyboard.press('Enter');
    await upstreamSignIn(page, 'alice');
    // Back with an account whose verified address is one of ours: link it with the password.
    await page.getByRole('heading', { name: 'Link your account' }).waitFor();
    t.deepEqual(await accessibilityProblems(page), []);
    await screenshot(page, 'idp-link-account.png');
    await page.keyboard.type('not-the-password');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').waitFor();
    t.is(await page.getByRole('alert').textContent(), 'The password is not right.');
    t.deepEqual(await accessibilityProblems(page), []);
    await page.getByLabel('Password of the account here').fill(LOCAL_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.href.startsWith(callbackUrl));
    t.truthy(new URL(page.url()).searchParams.get('code'));
  },
);

test.serial(
  'no linked account, and a provider that does not answer: pages that say so, accessible',
  async (t) => {
    const page = await loginPage(t);
    await page.getByRole('button', { name: 'Sign in with Acme SSO' }).click();
    await upstreamSignIn(page, 'bob');
    await page.getByRole('heading', { name: 'No account to sign in to' }).waitFor();
    t.deepEqual(await accessibilityProblems(page), []);
    await screenshot(page, 'idp-no-account.png');

    const down = await loginPage(t);
    await down.getByRole('button', { name: 'Sign in with Down SSO' }).click();
    await down.getByRole('heading', { name: 'The sign-in service cannot be reached' }).waitFor();
    t.deepEqual(await accessibilityProblems(down), []);
    await screenshot(down, 'idp-unreachable.png');
  },
);

test.serial('two tabs signing in through the provider at once both reach the app', async (t) => {
  // alice is linked by the first test: each tab goes straight through once back.
  const first = await loginPage(t);
  const second = await loginPage(t, first.context());
  for (const page of [first, second]) {
    await page.getByRole('button', { name: 'Sign in with Acme SSO' }).click();
    await page.waitForURL((url) => url.origin === upstream.issuer);
  }
  // The second tab comes back first; the first tab's trip is still its own.
  for (const page of [second, first]) {
    await upstreamSignIn(page, 'alice');
    await page.waitForURL((url) => url.href.startsWith(callbackUrl));
    t.truthy(new URL(page.url()).searchParams.get('code'));
  }
});

test.serial(
  '/account lists the providers: unlink and link again with the keyboard, every page accessible',
  async (t) => {
    const context = await browser.newContext({ viewport: { width: 480, height: 860 } });
    t.teardown(() => context.close());
    await context.route(
      (url) => url.hostname !== '127.0.0.1' && url.hostname !== '[::1]',
      (route) => route.abort(),
    );
    const page = await context.newPage();
    await page.goto(`${downstream.issuer}/account`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password', { exact: true }).fill(LOCAL_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // alice was linked to Acme SSO by the first test; Down SSO is not linked.
    const section = page.getByRole('region', { name: 'Sign in with another provider' });
    await section.waitFor();
    t.deepEqual(await accessibilityProblems(page), []);
    t.deepEqual(await section.getByRole('button').allTextContents(), [
      'Unlink Acme SSO',
      'Link Down SSO',
    ]);
    await screenshot(page, 'account-identity-providers.png');

    await page.getByRole('button', { name: 'Unlink Acme SSO' }).focus();
    await page.keyboard.press('Enter');
    const link = page.getByRole('button', { name: 'Link Acme SSO' });
    await link.waitFor();
    t.deepEqual(await accessibilityProblems(page), []);
    await link.focus();
    await page.keyboard.press('Enter');
    await upstreamSignIn(page, 'alice');
    await page.waitForURL((url) => url.href === `${downstream.issuer}/account`);
    await page.getByRole('button', { name: 'Unlink Acme SSO' }).waitFor();
    t.regex((await section.textContent()) ?? '', /Acme SSO: Linked on \d{4}-\d\d-\d\d/);
    t.deepEqual(await accessibilityProblems(page), []);
  },
);
