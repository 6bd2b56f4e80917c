import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { loadCatalogue } from '../src/config/messages.ts';
import {
  existingAccountMail,
  inLanguage,
  invitationMail,
  resetMail,
  signupMail,
  verificationMail,
} from '../src/mail/account-mails.ts';
import { devMailPage } from '../src/views/dev-mail-page.ts';
import { BUILT_IN_CATALOGUE } from '../src/views/i18n.ts';

// The mails and /dev/mail in the request's language (issue 13, items 2, 3 and 6): catalogue
// messages like the pages, so French is there and a team's messages folder can reword them.

const LINK = 'https://id.example.com/account/password/reset/abc';

test('each mail in English and in French, its link on a line of its own', (t) => {
  const mails = () => [
    resetMail('a@example.com', 'ada', LINK),
    verificationMail('a@example.com', 'ada', LINK),
    invitationMail('a@example.com', LINK, new Date('2026-12-24T18:30:00Z')),
    signupMail('a@example.com', LINK),
    existingAccountMail('a@example.com', 'https://id.example.com'),
  ];
  const english = inLanguage('en', BUILT_IN_CATALOGUE, mails);
  const french = inLanguage('fr-CA', BUILT_IN_CATALOGUE, mails);
  t.deepEqual(
    english.map((m) => m.subject),
    [
      'Reset your password',
      'Verify your e-mail address',
      'You are invited to create an account',
      'Create your account',
      'You already have an account',
    ],
  );
  t.deepEqual(
    french.map((m) => m.subject),
    [
      'Réinitialisez votre mot de passe',
      'Vérifiez votre adresse e-mail',
      'Vous êtes invité à créer un compte',
      'Créez votre compte',
      'Vous avez déjà un compte',
    ],
  );
  for (const mail of [...english, ...french].slice(0, 4).concat(french.slice(0, 4))) {
    t.true(mail.text.includes(`\n\n${LINK}\n\n`), mail.subject);
    t.is(mail.to, 'a@example.com');
  }
  t.regex(english[0]?.text ?? '', /the account "ada"/);
  t.regex(french[0]?.text ?? '', /du compte « ada »/);
  t.regex(english[2]?.text ?? '', /before Thursday, December 24, 2026 at 6:30 PM UTC/);
  t.regex(french[2]?.text ?? '', /avant le jeudi 24 décembre 2026 à 18:30 UTC/);
  t.regex(french[4]?.text ?? '', /allez sur https:\/\/id\.example\.com\/account\./);
  t.false(
    french.some((m) => /\{[a-z_]+\}/.test(m.subject + m.text)),
    'no placeholder left',
  );
});

test("a team's messages folder rewords a mail; an unknown language gets English", (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-mail-messages-'));
  writeFileSync(
    path.join(dir, 'fr.json'),
    JSON.stringify({ 'mail.reset_subject': 'ACME : votre mot de passe' }),
  );
  const catalogue = loadCatalogue(dir);
  const mail = inLanguage('fr', catalogue, () => resetMail('a@example.com', 'ada', LINK));
  t.is(mail.subject, 'ACME : votre mot de passe');
  t.regex(mail.text, /Quelqu’un a demandé/, 'the other messages stay built in');
  t.is(
    inLanguage('de', catalogue, () => resetMail('a@example.com', 'ada', LINK)).subject,
    'Reset your password',
  );
});

test('/dev/mail in French: its words translated, each mail as it was written', (t) => {
  const kept = [
    {
      at: new Date('2026-12-07T20:00:00Z'),
      ...inLanguage('en', BUILT_IN_CATALOGUE, () => resetMail('a@example.com', 'ada', LINK)),
    },
  ];
  const french = inLanguage('fr', BUILT_IN_CATALOGUE, () => devMailPage(kept));
  t.regex(french, /<title>Courrier \(dev\)/);
  t.regex(french, /<h1>Courrier gardé par dev<\/h1>/);
  t.regex(french, /n’envoie aucun courrier/);
  t.regex(french, /<code>portcullis dev<\/code>/);
  t.regex(french, /À a@example\.com, 7 déc\. 2026/);
  t.regex(french, /<h2 id="mail-0">Reset your password<\/h2>/);
  t.regex(french, new RegExp(`<a href="${LINK}">`));
  t.regex(
    inLanguage('fr', BUILT_IN_CATALOGUE, () => devMailPage([])),
    /Aucun courrier pour l’instant/,
  );
  const english = inLanguage('en', BUILT_IN_CATALOGUE, () => devMailPage(kept));
  t.regex(english, /<h1>Mail kept by dev<\/h1>/);
  t.regex(english, /To a@example\.com, Dec 7, 2026, 8:00:00 PM UTC/);
});
