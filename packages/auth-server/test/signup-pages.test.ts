import test from 'ava';
import { DEFAULT_BRAND } from '../src/views/brand.ts';
import { BUILT_IN_CATALOGUE } from '../src/views/i18n.ts';
import { withPageContext } from '../src/views/page-context.ts';
import { completeSignupPage, signupPage } from '../src/views/signup-pages.ts';

// The sign-up pages speak the browser's language like the other account pages (issue 13, items
// 3 and 6); the flows themselves are tested end to end in packages/e2e/test/signup*.test.ts.
const inLanguage = (acceptLanguage: string, render: () => string) =>
  withPageContext({ brand: DEFAULT_BRAND, catalogue: BUILT_IN_CATALOGUE, acceptLanguage }, render);

test('the sign-up pages in French, and in English otherwise', (t) => {
  const form = (language: string) => inLanguage(language, () => signupPage({ csrf: 'c' }));
  t.regex(form('fr-FR'), /<h1>Créer un compte<\/h1>/);
  t.regex(form('fr-FR'), /<html lang="fr"/);
  t.regex(form('de'), /<h1>Create an account<\/h1>/);
  const complete = (language: string) =>
    inLanguage(language, () =>
      completeSignupPage({
        action: '/account/signup/complete/x',
        csrf: 'c',
        email: 'a&b@example.test',
        error: 'signup.differ',
      }),
    );
  const french = complete('fr');
  t.regex(french, /L’adresse de votre compte est <strong>a&amp;b@example\.test<\/strong>/);
  t.regex(french, /role="alert">Les deux mots de passe diffèrent\.</);
  t.regex(french, />Créer le compte</);
  t.regex(
    complete('en'),
    /Your account(?:'|&#39;|&#x27;)s address is <strong>a&amp;b@example\.test<\/strong>/,
  );
});
