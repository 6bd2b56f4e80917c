import test from 'ava';
import {
  cliJson,
  HttpBrowser,
  linkHref,
  linkIn,
  type MailStack,
  startMailStack,
  submitForm,
} from '../src/index.ts';

// The mails in the language of the request that caused them (issue 13): a browser asking for
// French gets its password-reset, e-mail verification and sign-up mails in French, read from a
// real SMTP server and their links followed; one asking for English (or nothing) gets English.
// The CLI's invitations take --language.

const PASSWORD = 'mail-language-password';
let fixture: MailStack;

test.before(async () => {
  fixture = await startMailStack({ PORTCULLIS_SIGNUP: 'open' });
});
test.after.always(async () => {
  await fixture?.stop();
});

const browserIn = (acceptLanguage: string) =>
  new HttpBrowser(fixture.stack.issuer, { acceptLanguage });

async function createUser(username: string) {
  await fixture.stack.cli(
    [
      'users',
      'create',
      '--username',
      username,
      '--password-stdin',
      '--email',
      `${username}@example.test`,
    ],
    `${PASSWORD}\n`,
  );
}

/** "Mot de passe oublié ?" from /account in `browser`, then the address. */
async function requestReset(browser: HttpBrowser, email: string) {
  const login = await browser.follow(`${fixture.stack.issuer}/account`);
  const page = await login.response.clone().text();
  const forgot = linkHref(page, /Forgot your password\?|Mot de passe oublié/);
  if (!forgot) throw new Error('no forgotten-password link');
  const form = await browser.follow(new URL(forgot, fixture.stack.issuer).href);
  await submitForm(browser, form, { email });
}

test('password reset: the mail in the language of the browser that asked, its link working', async (t) => {
  await createUser('lea');
  await createUser('liam');
  const french = browserIn('fr-FR,fr;q=0.9,en;q=0.5');
  await requestReset(french, 'lea@example.test');
  await requestReset(browserIn('en-GB'), 'liam@example.test');

  const fr = await fixture.smtp.next('lea@example.test');
  t.is(fr.subject, 'Réinitialisez votre mot de passe');
  t.regex(fr.text, /Quelqu’un a demandé à réinitialiser le mot de passe du compte « lea »/);
  t.regex(fr.text, /dans les 30 minutes/);
  const en = await fixture.smtp.next('liam@example.test');
  t.is(en.subject, 'Reset your password');
  t.regex(en.text, /the password of the account "liam"/);

  // The French link leads to the French page, and sets the password.
  const form = await french.follow(linkIn(fr.text));
  t.regex(await form.response.clone().text(), /<html lang="fr"/);
  const done = await submitForm(french, form, {
    new_password: 'a-new-password-for-lea',
    confirm_password: 'a-new-password-for-lea',
  });
  t.is(done.next.response.status, 200);
});

test('e-mail verification asked from a French /account comes in French', async (t) => {
  await createUser('zoe');
  const browser = browserIn('fr');
  const login = await browser.follow(`${fixture.stack.issuer}/account`);
  const account = (await submitForm(browser, login, { username: 'zoe', password: PASSWORD })).next;
  // The first form of the account page: send a verification link.
  await submitForm(browser, account, {});
  const mail = await fixture.smtp.next('zoe@example.test');
  t.is(mail.subject, 'Vérifiez votre adresse e-mail');
  t.regex(mail.text, /Pour confirmer que zoe@example\.test est l’adresse du compte « zoe »/);
  t.true(linkIn(mail.text).startsWith(`${fixture.stack.issuer}/account/`));
});

test('open sign-up in French: the link mail, and the mail to an address that has an account', async (t) => {
  await createUser('hugo');
  const ask = async (email: string) => {
    const browser = browserIn('fr-CA');
    const form = await browser.follow(`${fixture.stack.issuer}/account/signup`);
    await submitForm(browser, form, { email });
  };
  await ask('new-person@example.test');
  await ask('hugo@example.test');
  const link = await fixture.smtp.next('new-person@example.test');
  t.is(link.subject, 'Créez votre compte');
  t.regex(link.text, /ouvrez ce lien dans les 24 heures/);
  t.true(linkIn(link.text).startsWith(`${fixture.stack.issuer}/account/signup/complete/`));
  const existing = await fixture.smtp.next('hugo@example.test');
  t.is(existing.subject, 'Vous avez déjà un compte');
  t.regex(existing.text, new RegExp(`allez sur ${fixture.stack.issuer}/account\\.`));
});

test('users invite --language fr: the invitation in French; an unknown language is refused', async (t) => {
  const invite = (email: string, ...args: string[]) =>
    cliJson<{ email: string; expires_at: string }>(
      {
        DATABASE_URL: fixture.database.url,
        PORTCULLIS_ISSUER: fixture.stack.issuer,
        PORTCULLIS_SIGNUP: 'invite',
        PORTCULLIS_SMTP_URL: fixture.smtp.url,
      },
      ['users', 'invite', email, ...args],
    );
  await invite('camille@example.test', '--language', 'fr', '--expires', '2d');
  const french = await fixture.smtp.next('camille@example.test');
  t.is(french.subject, 'Vous êtes invité à créer un compte');
  t.regex(french.text, /ouvrez ce lien avant le \S+ \d+ \S+ 20\d\d à \d\d:\d\d UTC/);
  await invite('casey@example.test');
  const english = await fixture.smtp.next('casey@example.test');
  t.is(english.subject, 'You are invited to create an account');
  await t.throwsAsync(invite('dora@example.test', '--language', 'de'), {
    message: /no messages in the language "de": use en, fr/,
  });
  t.is(
    await fixture.database.db('signup_links').where({ email: 'dora@example.test' }).first(),
    undefined,
  );
});
