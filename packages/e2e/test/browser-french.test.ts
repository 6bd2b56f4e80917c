import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { type Browser, chromium, type Page } from 'playwright-core';
import {
  accessibilityProblems,
  browserForTests,
  CHROMIUM_ARGS,
  type Stack,
  screenshot,
  startStack,
} from '../src/index.ts';

// The account pages of issue 13 in French (a browser set to French sends Accept-Language fr):
// the sign-in, the forgotten-password form and its answer, dev's /dev/mail with the French mail,
// the new-password page its link opens, the account page and the sign-up form. Each says
// <html lang="fr">, speaks French, has no axe-core violation, and is used with the keyboard.
const PASSWORD = 'le-mot-de-passe-1';

let database: TestDatabase;
let stack: Stack;
let browser: Browser;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url, { PORTCULLIS_SIGNUP: 'invite' });
  await stack.cli(
    ['users', 'create', '--username', 'lea', '--password-stdin', '--email', 'lea@example.test'],
    `${PASSWORD}\n`,
  );
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

/** The page's heading is `heading`, in French, and axe-core finds nothing. */
async function checkFrench(t: ExecutionContext, page: Page, heading: string) {
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  t.is(await page.getAttribute('html', 'lang'), 'fr', heading);
  t.deepEqual(await accessibilityProblems(page), [], heading);
}

test('the account pages in French, by keyboard, every one accessible', async (t) => {
  const context = await browser.newContext({
    locale: 'fr-FR',
    viewport: { width: 480, height: 820 },
  });
  t.teardown(() => context.close());
  const page = await context.newPage();

  await page.goto(`${stack.issuer}/account`);
  await checkFrench(t, page, 'Connexion');
  const forgot = page.getByRole('link', { name: 'Mot de passe oublié ?' });
  await forgot.focus();
  await page.keyboard.press('Enter');
  await checkFrench(t, page, 'Réinitialiser votre mot de passe');
  await page.keyboard.type('lea@example.test');
  await page.keyboard.press('Enter');
  await checkFrench(t, page, 'Consultez votre messagerie');

  await page.goto(`${stack.issuer}/dev/mail`);
  await checkFrench(t, page, 'Courrier gardé par dev');
  t.regex(
    (await page.locator('main').textContent()) ?? '',
    /Réinitialisez votre mot de passe[\s\S]*du compte « lea »/,
    'the mail itself in French: the request that caused it was',
  );
  await screenshot(page, 'dev-mail-fr.png');
  const link = page.locator('pre.mail a[href*="/account/password/reset/"]').first();
  await link.focus();
  await page.keyboard.press('Enter');
  await checkFrench(t, page, 'Choisissez un nouveau mot de passe');
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('un-nouveau-mot-de-passe');
  await page.getByLabel('Nouveau mot de passe, à nouveau').fill('un-nouveau-mot-de-passe');
  await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).press('Enter');
  await checkFrench(t, page, 'Mot de passe changé');

  await page.goto(`${stack.issuer}/account`);
  await page.getByLabel("Nom d'utilisateur").fill('lea');
  await page.getByLabel('Mot de passe', { exact: true }).fill('un-nouveau-mot-de-passe');
  await page.keyboard.press('Enter');
  await checkFrench(t, page, 'Applications ayant accès à votre compte');
  await screenshot(page, 'account-fr.png');
});
