import type { Database } from '@portcullis/storage';
import test from 'ava';
import type { AccountDeps } from '../src/routes/account.ts';
import type { AccountSecurityDeps } from '../src/routes/account-security.ts';
import { createHostRouting } from '../src/routes/host-routing.ts';
import type { IdentityProviderRoutesDeps } from '../src/routes/identity-providers/index.ts';
import type { LoginAndConsentDeps } from '../src/routes/login-and-consent.ts';
import type { PasswordResetDeps } from '../src/routes/password-reset.ts';
import { routeTable } from '../src/routes/route-table.ts';
import type { SignupRoutesDeps } from '../src/routes/signup.ts';

// Building the table only keeps the dependencies for later; no request is served here.
const required = {
  db: {} as Database,
  interaction: {} as LoginAndConsentDeps,
  account: {} as AccountDeps,
  identityProviders: {} as IdentityProviderRoutesDeps,
  accountSecurity: {} as AccountSecurityDeps,
};
const routing = createHostRouting(
  routeTable({
    ...required,
    passwordReset: {} as PasswordResetDeps,
    signup: {} as SignupRoutesDeps,
  }),
);

test('the host app gets its routes and everything under /interaction/ and /account/; oidc-provider the rest', (t) => {
  for (const path of [
    '/',
    '/healthz',
    '/readyz',
    '/favicon.ico',
    '/assets/portcullis.css',
    '/interaction/abc',
    '/interaction/abc/login',
    '/interaction/',
    '/interaction/a/b/c',
    '/idp/callback',
    '/account',
    '/account/',
    '/account/login',
    '/account/grants/g-1/revoke',
    '/account/unknown',
  ]) {
    t.true(routing.owns(path), path);
  }
  for (const path of [
    '/token',
    '/token/introspection',
    '/auth',
    '/auth/abc',
    '/.well-known/openid-configuration',
    '/jwks',
    '/assets/other.css',
    '/healthz/',
    '/HEALTHZ',
    '/accounts',
    '/interaction',
    '',
  ]) {
    t.false(routing.owns(path), path);
  }
});

test('route names and logged templates: fixed, case-sensitive, never the raw path', (t) => {
  const named = (path: string) => {
    const match = routing.match(path);
    return match ? [match.name, match.template] : undefined;
  };
  t.deepEqual(named('/'), ['home', '/']);
  // A mailed link's secret is a path segment: never logged.
  t.deepEqual(named('/account/password/reset/c2VjcmV0'), [
    'password_reset',
    '/account/password/reset/:token',
  ]);
  t.deepEqual(named('/account/email/verify/c2VjcmV0'), [
    'account_email_link',
    '/account/email/verify/:token',
  ]);
  t.deepEqual(named('/account/signup/complete/c2VjcmV0'), [
    'signup_complete',
    '/account/signup/complete/:token',
  ]);
  t.deepEqual(named('/favicon.ico'), ['favicon', '/favicon.ico']);
  t.deepEqual(named('/healthz'), ['healthz', '/healthz']);
  t.deepEqual(named('/readyz'), ['readyz', '/readyz']);
  t.deepEqual(named('/assets/portcullis.css'), ['assets', '/assets/portcullis.css']);
  t.deepEqual(named('/interaction/Zx81'), ['interaction', '/interaction/:uid']);
  t.deepEqual(named('/interaction/Zx81/login'), ['interaction_login', '/interaction/:uid/login']);
  t.deepEqual(named('/interaction/Zx81/confirm'), [
    'interaction_confirm',
    '/interaction/:uid/confirm',
  ]);
  t.deepEqual(named('/account'), ['account', '/account']);
  t.deepEqual(named('/account/login'), ['account_login', '/account/login']);
  t.deepEqual(named('/account/logout'), ['account_logout', '/account/logout']);
  t.deepEqual(named('/account/grants/g-1/revoke'), [
    'account_grant_revoke',
    '/account/grants/:grant/revoke',
  ]);
  for (const path of [
    '/token',
    '/interaction/',
    '/interaction/a/b/c',
    '/interaction/Zx81/LOGIN',
    '/account/',
    '/account/grants//revoke',
    '/assets/other.css',
  ]) {
    t.is(routing.match(path), undefined, path);
  }
});

test('a table that gives one path two names, or a parameter as its first segment, is refused', (t) => {
  const handler = () => undefined;
  t.throws(
    () =>
      createHostRouting([
        { name: 'one', method: 'GET', path: '/a/:id', handler },
        { name: 'two', method: 'POST', path: '/a/:id', handler },
      ]),
    { message: /two names/ },
  );
  t.throws(() => createHostRouting([{ name: 'any', method: 'GET', path: '/:id', handler }]), {
    message: /every path/,
  });
});

test('PORTCULLIS_SIGNUP: off mounts no sign-up route (404), invite the links, open also the form', (t) => {
  const off = createHostRouting(routeTable(required));
  const open = createHostRouting(
    routeTable({ ...required, signup: { open: {} } as SignupRoutesDeps }),
  );
  const named = (table: typeof routing, path: string) => table.match(path)?.name;
  for (const path of ['/account/signup/complete/c2VjcmV0', '/account/signup/done']) {
    t.is(named(off, path), undefined, path);
    t.truthy(named(routing, path), path);
    t.truthy(named(open, path), path);
  }
  for (const path of ['/account/signup', '/account/signup/sent']) {
    t.is(named(off, path), undefined, path);
    t.is(named(routing, path), undefined, path);
    t.truthy(named(open, path), path);
  }
});
