import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { loadCatalogue } from '../src/config/messages.ts';
import { OIDC_SCOPE_DESCRIPTIONS } from '../src/domain/oidc-scopes.ts';
import type { AuthServerError } from '../src/errors.ts';
import { DEFAULT_BRAND } from '../src/views/brand.ts';
import { html, tHtml } from '../src/views/html.ts';
import {
  BUILT_IN_CATALOGUE,
  type Catalogue,
  negotiateLanguage,
  placeholders,
  say,
  t,
  verbatim,
} from '../src/views/i18n.ts';
import { linkAccountPage } from '../src/views/identity-provider-pages.ts';
import { loginPage } from '../src/views/login-page.ts';
import { messagePage } from '../src/views/message-page.ts';
import { EN, type MessageKey } from '../src/views/messages/en.ts';
import { FR } from '../src/views/messages/fr.ts';
import { mfaCodePage } from '../src/views/mfa-pages.ts';
import { withPageContext } from '../src/views/page-context.ts';
import { scopeList } from '../src/views/scope-list.ts';

// The pages' languages (issue 13, item 6): Accept-Language negotiation, the message functions,
// the French catalogue's completeness, and PORTCULLIS_MESSAGES_DIR's validation.

const inLanguage = <T>(
  acceptLanguage: string | undefined,
  render: () => T,
  catalogue?: Catalogue,
) =>
  withPageContext(
    { brand: DEFAULT_BRAND, catalogue: catalogue ?? BUILT_IN_CATALOGUE, acceptLanguage },
    render,
  );

test('negotiation: q-values, primary tags, ties in order, q=0 and * honoured, English otherwise', (t) => {
  const available = ['en', 'fr'];
  t.is(negotiateLanguage('fr', available), 'fr');
  t.is(negotiateLanguage('fr-CA,fr;q=0.9,en;q=0.8', available), 'fr');
  t.is(negotiateLanguage('FR-ch', available), 'fr');
  t.is(negotiateLanguage('de;q=0.9, fr;q=0.5, en;q=0.4', available), 'fr');
  t.is(negotiateLanguage('en;q=0.5, fr;q=0.8', available), 'fr');
  t.is(negotiateLanguage('en, fr', available), 'en', 'a tie keeps the header order');
  t.is(negotiateLanguage('fr;q=0, de', available), 'en', 'q=0 is a refusal');
  t.is(negotiateLanguage('de, *;q=0.1', available), 'en');
  t.is(negotiateLanguage('de, ja', available), 'en');
  t.is(negotiateLanguage('', available), 'en');
  t.is(negotiateLanguage(undefined, available), 'en');
  t.is(negotiateLanguage('fr;q=abc, de;q=1', ['en', 'fr', 'de']), 'de', 'a bad q is no weight');
  t.is(negotiateLanguage(';;,,;q=1,-', available), 'en');
});

test('every English message has a French translation with the same placeholders', (t) => {
  for (const key of Object.keys(EN) as MessageKey[]) {
    t.true(typeof FR[key] === 'string' && FR[key].trim() !== '', key);
    t.deepEqual(placeholders(FR[key]), placeholders(EN[key]), key);
  }
  t.deepEqual(Object.keys(FR).sort(), Object.keys(EN).sort());
});

test('messages in the request language, placeholders filled, markup escaped', (t) => {
  t.is(
    inLanguage('fr', () => t_('providers.button', { provider: 'Acme' })),
    'Se connecter avec Acme',
  );
  t.is(
    inLanguage('en', () => t_('providers.button', { provider: 'Acme' })),
    'Sign in with Acme',
  );
  t.is(t_('login.title'), 'Sign in', 'outside of a request: English');
  t.is(
    inLanguage(
      'fr',
      () => tHtml('login.continue_to', { client: html`<strong>${'<App>'}</strong>` }).html,
    ),
    'pour continuer vers <strong>&lt;App&gt;</strong>',
  );
  t.is(
    inLanguage('fr', () => say('refused.title')),
    'Demande refusée',
  );
  t.is(
    inLanguage('fr', () => say({ key: 'providers.button', params: { provider: 'Acme' } })),
    'Se connecter avec Acme',
  );
  t.is(
    inLanguage('fr', () => say(verbatim('Request refused'))),
    'Request refused',
    'verbatim text is never looked up by its English',
  );
});

// `t` of ava's context shadows the message function in the tests above.
function t_(key: MessageKey, params?: Record<string, string>) {
  return t(key, params);
}

test('the pages say their language in <html lang> and speak it', (t) => {
  const login = () =>
    loginPage({ action: '/x', csrf: 'c', client: { name: 'login.unknown_client' } });
  const french = inLanguage('fr-FR,fr;q=0.9', login);
  t.regex(french, /<html lang="fr">/);
  t.regex(french, /<title>Connexion · Portcullis<\/title>/);
  t.regex(french, /pour continuer vers <strong>l&#39;application<\/strong>/);
  t.regex(french, /<label for="username">Nom d&#39;utilisateur<\/label>/);
  const english = inLanguage('de', login);
  t.regex(english, /<html lang="en">/);
  t.regex(english, /<label for="username">Username<\/label>/);
  // The messages a route hands to a message page by key are translated; verbatim text is kept.
  const message = inLanguage('fr', () =>
    messagePage('refused.title', 'refused.choose', verbatim('x')),
  );
  t.regex(message, /<h1>Demande refusée<\/h1>\n<p>Choisissez Autoriser ou Refuser.<\/p>/);
  t.regex(message, /<p class="muted">x<\/p>/);
});

const messagesDir = (files: Record<string, string>) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-messages-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, name), body);
  return dir;
};

const refusal = (dir: string): AuthServerError | undefined => {
  try {
    loadCatalogue(dir);
  } catch (error) {
    return error as AuthServerError;
  }
  return undefined;
};

test('a messages folder overrides a built-in language and adds one, English filling in', (t) => {
  const catalogue = loadCatalogue(
    messagesDir({
      'de.json': JSON.stringify({
        'login.title': 'Anmelden',
        'providers.button': 'Mit {provider} anmelden',
      }),
      'fr.json': JSON.stringify({ 'login.submit': 'Connexion' }),
      'README.md': 'not a messages file: ignored',
    }),
  );
  t.deepEqual([...catalogue.keys()].sort(), ['de', 'en', 'fr']);
  t.is(
    inLanguage('de', () => t_('login.title'), catalogue),
    'Anmelden',
  );
  t.is(
    inLanguage('de', () => t_('providers.button', { provider: 'X' }), catalogue),
    'Mit X anmelden',
  );
  t.is(
    inLanguage('de', () => t_('login.password'), catalogue),
    'Password',
    'English fills in',
  );
  t.is(
    inLanguage('fr', () => t_('login.submit'), catalogue),
    'Connexion',
  );
  t.is(
    inLanguage('fr', () => t_('login.password'), catalogue),
    'Mot de passe',
  );
  t.is(loadCatalogue(undefined), BUILT_IN_CATALOGUE);
});

test('bad messages files are refused in one line naming the file and the key', (t) => {
  const cases: [Record<string, string> | string, RegExp][] = [
    [
      { 'de.json': '{"login.titel": "Anmelden"}' },
      /^PORTCULLIS_MESSAGES_DIR: de\.json: "login\.titel" is not a message/,
    ],
    [
      { 'de.json': '{"providers.button": "Anmelden"}' },
      /^PORTCULLIS_MESSAGES_DIR: de\.json: "providers\.button" must have \{provider\}, like English, not no placeholder$/,
    ],
    [
      { 'fr.json': '{"login.title": "Connexion à {client}"}' },
      /fr\.json: "login\.title" must have no placeholder, like English, not \{client\}$/,
    ],
    [{ 'de.json': '{"login.title": 3}' }, /de\.json: "login\.title" must be a non-empty text$/],
    [{ 'de.json': '{"login.title": " "}' }, /must be a non-empty text$/],
    [{ 'de.json': '["Anmelden"]' }, /de\.json must hold an object of message keys to text$/],
    [{ 'de.json': '{"login.title": ' }, /^PORTCULLIS_MESSAGES_DIR: de\.json is not valid JSON \(/],
    [
      { 'german.json': '{}' },
      /german\.json: a messages file is named by its language, like de\.json/,
    ],
    [
      '/nonexistent/portcullis-messages',
      /cannot read the folder "\/nonexistent\/portcullis-messages" \(ENOENT\)$/,
    ],
  ];
  for (const [files, message] of cases) {
    const error = refusal(typeof files === 'string' ? files : messagesDir(files));
    t.is(error?.code, 'config_invalid');
    t.is(error?.setting, 'PORTCULLIS_MESSAGES_DIR');
    t.regex(error?.message ?? '', message);
    t.false((error?.message ?? '').includes('\n'));
  }
  const file = path.join(messagesDir({}), 'plain-file');
  writeFileSync(file, '');
  t.regex(refusal(file)?.message ?? '', /cannot read the folder .* \(ENOTDIR\)$/);
  const nested = messagesDir({});
  mkdirSync(path.join(nested, 'sub.json'));
  t.regex(refusal(nested)?.message ?? '', /sub\.json is not valid JSON \(EISDIR/);
});

test("the OpenID scopes' descriptions are messages, so the consent page translates them", (t) => {
  for (const [name, description] of Object.entries(OIDC_SCOPE_DESCRIPTIONS)) {
    const line = [{ name, description }];
    t.true(inLanguage('en', () => scopeList(line).html).includes(description), name);
    const french = inLanguage('fr', () => scopeList(line).html);
    t.false(french.includes(description), name);
    t.true(french.includes(FR[`scope.${name}` as MessageKey]), name);
  }
  // An API's scope is shown as its operator described it, in any language.
  const api = [{ name: 'email', description: 'Mail the team', resource: 'Notes API' }];
  t.regex(
    inLanguage('fr', () => scopeList(api).html),
    /Mail the team/,
  );
});

test("the link-account page in French: the provider and address in the sentence, the route's error translated", (t) => {
  const page = inLanguage('fr', () =>
    linkAccountPage({
      action: '/x',
      csrf: 'c',
      provider: 'Acme <SSO>',
      email: 'ann@example.com',
      error: 'link.failed',
    }),
  );
  t.regex(page, /<h1>Associer votre compte<\/h1>/);
  t.regex(page, /déjà <strong>ann@example\.com<\/strong>, l’adresse donnée par Acme &lt;SSO&gt;\./);
  t.regex(page, /role="alert">Le mot de passe est incorrect\.<\/p>/);
});

test("the second-factor code step in French: heading, the app's name, the field, and the route's one failure sentence", (t) => {
  const page = inLanguage('fr', () =>
    mfaCodePage({
      action: '/x',
      csrf: 'c',
      client: { name: verbatim('Acme <App>') },
      error: 'mfa.code_failed',
    }),
  );
  t.regex(page, /<h1>Saisissez votre code<\/h1>/);
  t.regex(page, /<strong>Acme &lt;App&gt;<\/strong>/);
  t.regex(page, /id="code-hint">Le code à 6 chiffres de votre application d’authentification/);
  t.regex(
    page,
    /role="alert">Ce code est incorrect\. Essayez le plus récent de votre application\.<\/p>/,
  );
  t.regex(page, /<button class="primary" type="submit">Continuer<\/button>/);
  t.notRegex(page, /Enter your code|That code is not right/);
});

test('an identity-provider sentence naming the provider, in French and in English', (t) => {
  const sentence = (language: string) =>
    inLanguage(language, () => t_('idp.no_account', { provider: 'Acme <SSO>' }));
  t.is(sentence('fr'), 'Aucun compte d’ici n’est associé à votre compte Acme <SSO>.');
  t.is(sentence('en'), 'No account here is linked to your Acme <SSO> account.');
  const page = inLanguage('fr', () =>
    messagePage(
      'idp.no_account_title',
      { key: 'idp.no_account', params: { provider: 'Acme <SSO>' } },
      'idp.no_account_hint',
    ),
  );
  t.regex(page, /<p>Aucun compte d’ici n’est associé à votre compte Acme &lt;SSO&gt;\.<\/p>/);
  t.regex(page, /<h1>Aucun compte auquel se connecter<\/h1>/);
});

test('every message has English and French, and a messages folder can override every one', (t) => {
  const keys = Object.keys(EN) as MessageKey[];
  t.deepEqual(Object.keys(FR).sort(), [...keys].sort());
  // A team's catalogue rewording every message (keeping each one's placeholders) is accepted,
  // and each page message then says the team's words.
  const reworded = Object.fromEntries(
    keys.map((key) => [
      key,
      `TEAM ${key} ${placeholders(EN[key])
        .map((p) => `{${p}}`)
        .join(' ')}`,
    ]),
  );
  const catalogue = loadCatalogue(messagesDir({ 'fr.json': JSON.stringify(reworded) }));
  for (const key of keys) {
    const params = Object.fromEntries(placeholders(EN[key]).map((p) => [p, 'x']));
    t.is(
      inLanguage('fr', () => t_(key, params), catalogue),
      `TEAM ${key} ${placeholders(EN[key])
        .map(() => 'x')
        .join(' ')}`,
      key,
    );
  }
});
