import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { type Browser, chromium, type Page } from 'playwright-core';
import {
  accessibilityProblems,
  browserForTests,
  CHROMIUM_ARGS,
  discoverClient,
  type Stack,
  screenshot,
  startStack,
} from '../src/index.ts';

// The brand and the language (issue 13, item 6) in Chromium: a server started with a product
// name, a logo file, a primary colour and a support link shows them on the login and consent
// pages, in English or in French as the browser's Accept-Language asks; each page keeps zero
// accessibility violations and is used by keyboard alone.

const PASSWORD = 'brand-browser-password';
const BRAND_NAME = 'Acme Sign-in';
const SUPPORT_URL = 'https://help.acme.example/sign-in';
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#0b5cad"/><path d="M16 44 32 16l16 28z" fill="#fff"/></svg>';
// Nothing is ever served there: the tests stop at the consent page.
const REDIRECT_URI = 'http://127.0.0.1:1/callback';

let database: TestDatabase;
let stack: Stack;
let browser: Browser;
let app: { client_id: string; client_secret: string };

test.before(async () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'portcullis-brand-'));
  const logo = path.join(folder, 'acme.svg');
  writeFileSync(logo, LOGO_SVG);
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url, {
    PORTCULLIS_BRAND_NAME: BRAND_NAME,
    PORTCULLIS_BRAND_LOGO: logo,
    PORTCULLIS_BRAND_COLOR: '#0b5cad',
    PORTCULLIS_SUPPORT_URL: SUPPORT_URL,
  });
  await stack.cli(['users', 'create', '--username', 'brenda', '--password-stdin'], PASSWORD);
  app = await stack.cli([
    'clients',
    'create',
    '--name',
    'Notes Viewer',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    REDIRECT_URI,
    '--resource',
    stack.api,
    '--scope',
    'openid notes:read',
  ]);
  browser = await chromium.launch({
    executablePath: browserForTests(process.env),
    args: CHROMIUM_ARGS,
  });
});

test.after.always(async () => {
  await browser?.close();
  await stack?.stop();
  await database?.drop();
});

/** The app's authorization request opened in a fresh profile that may only reach 127.0.0.1. */
async function loginPage(
  t: { teardown(fn: () => Promise<void>): void },
  locale?: string,
): Promise<{ page: Page; offHost: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 480, height: 800 },
    ...(locale ? { locale } : {}),
  });
  t.teardown(() => context.close());
  const offHost: string[] = [];
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => {
      offHost.push(route.request().url());
      return route.abort();
    },
  );
  const config = await discoverClient(stack.issuer, app);
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid notes:read',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: client.randomState(),
  });
  const page = await context.newPage();
  await page.goto(url.href);
  return { page, offHost };
}

/** Signs in by keyboard: the username field has the focus, Tab to the password, Enter. */
async function signInByKeyboard(page: Page, username: string): Promise<void> {
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('form button[value="approve"]');
}

test('the login and consent pages carry the brand and pass axe', async (t) => {
  const { page, offHost } = await loginPage(t, 'en-US');
  t.is(await page.title(), `Sign in · ${BRAND_NAME}`);
  t.is(await page.getAttribute('html', 'lang'), 'en');
  t.is(await page.locator('header.brand').textContent(), BRAND_NAME);
  // The logo is served by the server itself, and loads under the page's CSP.
  const logo = page.locator('header.brand img');
  t.is(await logo.getAttribute('src'), '/assets/brand-logo');
  t.true(
    await logo.evaluate(
      (img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0,
    ),
  );
  t.is(
    await page.getByRole('button', { name: 'Sign in', exact: true }).getAttribute('class'),
    'primary',
  );
  t.is(
    await page.evaluate(
      "getComputedStyle(document.querySelector('button.primary')).backgroundColor",
    ),
    'rgb(11, 92, 173)',
  );
  const support = page.getByRole('contentinfo').getByRole('link');
  t.is(await support.textContent(), 'Help and support');
  t.is(await support.getAttribute('href'), SUPPORT_URL);
  t.deepEqual(await accessibilityProblems(page), []);
  await screenshot(page, 'brand-login.png');

  await signInByKeyboard(page, 'brenda');
  t.is(await page.title(), `Authorize · ${BRAND_NAME}`);
  t.is(await page.locator('header.brand').textContent(), BRAND_NAME);
  t.deepEqual(await accessibilityProblems(page), []);
  t.deepEqual(offHost, []);
});

test('a browser asking for French gets the login and consent pages in French, branded, passing axe', async (t) => {
  const { page, offHost } = await loginPage(t, 'fr-FR');
  t.is(await page.title(), `Connexion · ${BRAND_NAME}`);
  t.is(await page.getAttribute('html', 'lang'), 'fr');
  t.is(await page.getByRole('heading', { level: 1 }).textContent(), 'Connexion');
  t.regex((await page.locator('main').textContent()) ?? '', /pour continuer vers Notes Viewer/);
  t.is(await page.getByRole('contentinfo').getByRole('link').textContent(), 'Aide et assistance');
  t.is(await page.locator('header.brand').textContent(), BRAND_NAME);
  t.deepEqual(await accessibilityProblems(page), []);
  await screenshot(page, 'brand-login-fr.png');

  // A wrong password first: the one failure message, in French.
  await page.getByLabel("Nom d'utilisateur", { exact: true }).fill('brenda');
  await page.getByLabel('Mot de passe', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.getByRole('alert').waitFor();
  t.is(
    await page.getByRole('alert').textContent(),
    "Le nom d'utilisateur ou le mot de passe est incorrect.",
  );
  // The password field has the focus after a failure: type it and press Enter.
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('form button[value="approve"]');
  t.is(await page.title(), `Autoriser · ${BRAND_NAME}`);
  t.is(
    await page.getByRole('heading', { level: 1 }).textContent(),
    'Notes Viewer demande l’accès à votre compte',
  );
  t.is(await page.getByRole('button', { name: 'Autoriser' }).count(), 1);
  t.is(await page.getByRole('button', { name: 'Refuser' }).count(), 1);
  t.deepEqual(await accessibilityProblems(page), []);
  await screenshot(page, 'brand-consent-fr.png');
  t.deepEqual(offHost, []);
});

test('/account in French: its sign-in and the page itself, passing axe', async (t) => {
  const context = await browser.newContext({ viewport: { width: 480, height: 800 }, locale: 'fr' });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(`${stack.issuer}/account`);
  t.regex((await page.locator('main').textContent()) ?? '', /pour continuer vers votre compte/);
  await page.keyboard.type('brenda');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('h1:has-text("Applications ayant accès à votre compte")');
  t.is(await page.getAttribute('html', 'lang'), 'fr');
  t.is(await page.getByRole('button', { name: 'Se déconnecter' }).count(), 1);
  t.is(await page.getByRole('link', { name: 'Changer de mot de passe' }).count(), 1);
  t.deepEqual(await accessibilityProblems(page), []);
});
