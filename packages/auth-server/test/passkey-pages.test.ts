import test from 'ava';
import { DEFAULT_BRAND } from '../src/views/brand.ts';
import { BUILT_IN_CATALOGUE, verbatim } from '../src/views/i18n.ts';
import { loginPage } from '../src/views/login-page.ts';
import { mfaCodePage, recoveryCodesPage, totpSetupPage } from '../src/views/mfa-pages.ts';
import { withPageContext } from '../src/views/page-context.ts';
import {
  addPasskeyPage,
  passkeysSection,
  removePasskeyPage,
  renamePasskeyPage,
} from '../src/views/passkey-pages.ts';

// The passkey pages' markup: the buttons hidden until the script shows them, the options escaped
// into an attribute (no inline script), and every sentence in French too.

const inLanguage = (acceptLanguage: string, render: () => string) =>
  withPageContext({ brand: DEFAULT_BRAND, catalogue: BUILT_IN_CATALOGUE, acceptLanguage }, render);

const hostile = { challenge: 'abc', user: { name: '"></form><script>alert(1)</script>' } };

test('the login page: "Sign in with a passkey" is a hidden form with escaped options and our script', (t) => {
  const page = inLanguage('en', () =>
    loginPage({
      action: '/x/login',
      csrf: 'c',
      client: { name: verbatim('Notes') },
      passkey: { action: '/x/passkey', csrf: 'c', options: hostile },
    }),
  );
  t.regex(
    page,
    /<form method="post" action="\/x\/passkey" class="passkey" data-passkey="get" data-passkey-options="\{&quot;challenge&quot;:&quot;abc&quot;,[^"]*\}" data-passkey-failed="No passkey was used\. Try again when you are ready\." hidden>/,
  );
  t.notRegex(page, /<script>alert/);
  t.is(page.match(/<script/g)?.length, 1);
  t.regex(page, /<script src="\/assets\/passkeys\.js"><\/script>/);
  t.regex(page, /<button class="secondary" type="submit">Sign in with a passkey<\/button>/);
  // The password form comes first and works without the script.
  t.true(page.indexOf('action="/x/login"') < page.indexOf('action="/x/passkey"'));
});

test('the pages in French: login, code step, account section, adding and removing', (t) => {
  const form = { action: '/p', csrf: 'c', options: { challenge: 'abc' } };
  const login = inLanguage('fr', () =>
    loginPage({ action: '/l', csrf: 'c', client: { name: verbatim('Notes') }, passkey: form }),
  );
  t.regex(login, />Se connecter avec une clé d’accès</);
  t.regex(login, /data-passkey-failed="Aucune clé d’accès n’a été utilisée\./);

  const code = inLanguage('fr', () =>
    mfaCodePage({
      action: '/c',
      csrf: 'c',
      client: { name: verbatim('Notes') },
      codes: false,
      passkey: form,
      error: 'passkey.failed',
    }),
  );
  t.regex(code, />Utiliser une clé d’accès</);
  t.regex(code, /role="alert">La clé d’accès n’a pas été acceptée\./);
  t.regex(code, /<noscript><p class="error">Se connecter avec une clé d’accès demande JavaScript/);
  t.notRegex(code, /id="code"/, 'no code field for a user with passkeys only');

  const section = inLanguage(
    'fr',
    () =>
      passkeysSection([
        {
          id: 'p/1',
          name: 'Portable <bureau>',
          createdAt: new Date('2026-01-02T10:00:00Z'),
          lastUsedAt: null,
        },
      ]).html,
  );
  t.regex(section, /<h2 id="passkeys-heading">Clés d’accès<\/h2>/);
  t.regex(section, /<strong>Portable &lt;bureau&gt;<\/strong>/);
  t.regex(section, /Ajoutée le 2026-01-02, dernière utilisation : jamais\./);
  t.regex(section, /href="\/account\/passkeys\/p%2F1\/remove">Retirer Portable &lt;bureau&gt;</);
  t.regex(section, />Ajouter une clé d’accès</);
  t.regex(section, /href="\/account\/passkeys\/p%2F1\/rename">Renommer Portable &lt;bureau&gt;</);
  t.regex(
    inLanguage('fr', () => passkeysSection([]).html),
    /Aucune clé d’accès pour l’instant/,
  );

  const add = inLanguage('fr', () =>
    addPasskeyPage({
      ...form,
      name: 'Téléphone',
      error: 'passkey.not_created',
    }),
  );
  t.regex(add, /<h1>Ajouter une clé d’accès<\/h1>/);
  t.regex(add, /<label for="passkey-name">Nom de cette clé d’accès<\/label>/);
  t.regex(add, /value="Téléphone"/);
  t.regex(add, /role="alert">La clé d’accès n’a pas été créée\./);
  t.regex(add, /<noscript><p class="error">Créer une clé d’accès demande JavaScript/);
  t.regex(add, /data-passkey="create"/);

  const remove = inLanguage('fr', () =>
    removePasskeyPage({
      csrf: 'c',
      passkey: { id: 'p1', name: 'Téléphone', createdAt: new Date(), lastUsedAt: null },
    }),
  );
  t.regex(remove, /<h1>Retirer la clé d’accès Téléphone \?<\/h1>/);
  t.regex(remove, />Retirer la clé d’accès<\/button>/);
  const rename = inLanguage('fr', () =>
    renamePasskeyPage({
      csrf: 'c',
      passkey: { id: 'p/1', name: 'Téléphone', createdAt: new Date(), lastUsedAt: null },
      name: 'a"><b>',
      error: 'passkey.name_invalid',
    }),
  );
  t.regex(rename, /<h1>Renommer la clé d’accès Téléphone<\/h1>/);
  t.regex(rename, /<form method="post" action="\/account\/passkeys\/p%2F1\/rename">/);
  t.regex(rename, /role="alert">Le nom doit compter de 1 à 60 caractères, sur une ligne\./);
  t.regex(rename, /value="a&quot;&gt;&lt;b&gt;"/, 'what was typed, escaped');
  t.regex(rename, /aria-describedby="passkey-name-hint rename-error" aria-invalid="true"/);
  t.regex(rename, />Enregistrer le nom<\/button>/);
  t.is(rename.match(/<script/g), null, 'renaming needs no script');
  t.regex(
    inLanguage('fr', () =>
      renamePasskeyPage({
        csrf: 'c',
        passkey: { id: 'p1', name: 'Téléphone', createdAt: new Date(), lastUsedAt: null },
      }),
    ),
    /value="Téléphone"/,
  );
  for (const page of [login, code, section, add, remove, rename]) {
    t.notRegex(
      page,
      /passkey was|Add a passkey|Remove the passkey|Sign in with a passkey|Rename|Save the name/,
    );
  }
});

test('a passkey user’s recovery codes: the code step asks for one, the page says what they replace', (t) => {
  const form = { action: '/p', csrf: 'c', options: { challenge: 'abc' } };
  const english = mfaCodePage({
    action: '/c',
    csrf: 'c',
    client: { name: verbatim('Notes') },
    codes: 'recovery',
    passkey: form,
  });
  t.regex(english, /id="code-hint">One of your recovery codes, if you cannot use your passkey\.</);
  t.regex(english, /<input id="code" name="code"/);
  t.true(
    english.indexOf('id="code"') < english.indexOf('data-passkey='),
    'the field works without the script',
  );
  const french = inLanguage('fr', () =>
    mfaCodePage({
      action: '/c',
      csrf: 'c',
      client: { name: verbatim('Notes') },
      codes: 'recovery',
      passkey: form,
    }),
  );
  t.regex(
    french,
    /L’un de vos codes de secours, si vous ne pouvez pas utiliser votre clé d’accès\./,
  );
  const app = mfaCodePage({ action: '/c', csrf: 'c', client: { name: verbatim('Notes') } });
  t.regex(app, /The 6-digit code from your authenticator app, or one of your recovery codes\./);

  const codes = ['aaaa-bbbb-cccc-dddd'];
  const shown = inLanguage('fr', () =>
    recoveryCodesPage({ codes, next: '/account', factor: 'passkey' }),
  );
  t.regex(shown, /Votre clé d’accès est ajoutée\. Si vous perdez l’appareil qui la garde/);
  t.regex(shown, /<code>aaaa-bbbb-cccc-dddd<\/code>/);
  t.regex(
    recoveryCodesPage({ codes, next: '/account', factor: 'passkey' }),
    /Your passkey is added\./,
  );
  t.regex(recoveryCodesPage({ codes, next: '/account' }), /Your authenticator app is set up\./);
});

test('the setup page at sign-in offers a passkey, hidden without the script, in French too', (t) => {
  const setup = { qrSvg: '<svg></svg>', secret: 'ABCDEFGH' };
  const passkey = { action: '/i/mfa/setup/passkey', csrf: 'c', options: { challenge: 'abc' } };
  const page = inLanguage('fr', () =>
    totpSetupPage({ action: '/i/mfa/setup', csrf: 'c', setup, intro: 'mfa.setup_chosen', passkey }),
  );
  // The app's form first, working without the script; the passkey's form hidden until it runs.
  t.true(page.indexOf('action="/i/mfa/setup"') < page.indexOf('action="/i/mfa/setup/passkey"'));
  t.regex(
    page,
    /<form method="post" action="\/i\/mfa\/setup\/passkey" class="passkey" data-passkey="create"[^>]* hidden>/,
  );
  t.regex(page, /<h2 id="passkey-instead">Ou utilisez une clé d’accès<\/h2>/);
  t.regex(page, /Au lieu d’une application, une clé d’accès/);
  t.regex(page, /<label for="passkey-name">Nom de cette clé d’accès<\/label>/);
  t.regex(page, />Créer la clé d’accès<\/button>/);
  t.notRegex(page, /<input id="passkey-name"[^>]*autofocus/, 'the app’s field keeps the focus');
  const refused = totpSetupPage({
    action: '/i/mfa/setup',
    csrf: 'c',
    setup,
    intro: 'mfa.setup_chosen',
    passkey: { ...passkey, error: 'passkey.not_created' },
  });
  t.regex(refused, /id="passkey-error" role="alert">The passkey was not created\./);
  t.regex(refused, /aria-describedby="passkey-name-hint passkey-error"/);
  const account = totpSetupPage({
    action: '/account/mfa',
    csrf: 'c',
    setup,
    intro: 'mfa.setup_chosen',
    passkeyLink: '/account/passkeys/new',
  });
  t.regex(
    account,
    /<a class="button secondary" href="\/account\/passkeys\/new">Add a passkey instead<\/a>/,
  );
  t.is(account.match(/<script/g), null);
});
