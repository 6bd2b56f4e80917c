import type { Database } from '@portcullis/storage';
import { REGISTRATION_PATH } from '../domain/registration-path.ts';
import { type AccountDeps, accountRoutes } from './account.ts';
import { FAVICON_ASSET, STYLESHEET_ASSET, serveAsset } from './assets.ts';
import { healthRoutes } from './health.ts';
import { showHome } from './home.ts';
import {
  IDP_CALLBACK_PATH,
  type IdentityProviderRoutesDeps,
  identityProviderRoutes,
} from './identity-providers/index.ts';
import { type LoginAndConsentDeps, loginAndConsentRoutes } from './login-and-consent.ts';
import { type RegistrationDeps, registrationRoutes } from './registration.ts';
import type { HostRoute } from './route.ts';

/** What the host app's routes need. */
export interface RouteTableDeps {
  db: Database;
  interaction: LoginAndConsentDeps;
  account: AccountDeps;
  /** "Sign in with" other identity providers, from the login page. */
  identityProviders: IdentityProviderRoutesDeps;
  /** Dynamic client registration; undefined when it is off (its paths are then not ours: 404). */
  registration?: RegistrationDeps;
}

/**
 * Every route of the host app (ours, next to oidc-provider's), in one table: its name (metrics,
 * access line), method, path template and handler. Which requests reach the host app, its
 * routing, the route names and the logged paths are all derived from it (host-routing.ts).
 *
 * @example
 * const routing = createHostRouting(routeTable({ db, interaction, account }));
 */
export function routeTable(deps: RouteTableDeps): HostRoute[] {
  const health = healthRoutes(deps.db);
  const interaction = loginAndConsentRoutes(deps.interaction);
  const account = accountRoutes(deps.account);
  const idp = identityProviderRoutes(deps.identityProviders, interaction.signedIn);
  return [
    ...(deps.registration ? registration(registrationRoutes(deps.registration)) : []),
    { name: 'home', method: 'GET', path: '/', handler: showHome },
    { name: 'favicon', method: 'GET', path: '/favicon.ico', handler: serveAsset(FAVICON_ASSET) },
    { name: 'healthz', method: 'GET', path: '/healthz', handler: health.live },
    { name: 'readyz', method: 'GET', path: '/readyz', handler: health.ready },
    {
      name: 'assets',
      method: 'GET',
      path: '/assets/portcullis.css',
      handler: serveAsset(STYLESHEET_ASSET),
    },
    // The login or the consent page (views/login-page.ts, views/consent-page.ts), and their
    // forms.
    { name: 'interaction', method: 'GET', path: '/interaction/:uid', handler: interaction.show },
    {
      name: 'interaction_login',
      method: 'POST',
      path: '/interaction/:uid/login',
      handler: interaction.submitLogin,
    },
    {
      name: 'interaction_confirm',
      method: 'POST',
      path: '/interaction/:uid/confirm',
      handler: interaction.submitConsent,
    },
    // "Sign in with" another provider (routes/identity-providers): a login page's button, the
    // provider's redirect back, and the page linking an account with the same e-mail.
    {
      name: 'interaction_idp',
      method: 'POST',
      path: '/interaction/:uid/idp/:idp',
      handler: idp.start,
    },
    { name: 'idp_callback', method: 'GET', path: IDP_CALLBACK_PATH, handler: idp.callback },
    {
      name: 'interaction_idp_callback',
      method: 'GET',
      path: '/interaction/:uid/idp/callback',
      handler: idp.resume,
    },
    {
      name: 'interaction_idp_link',
      method: 'POST',
      path: '/interaction/:uid/idp-link',
      handler: idp.submitLink,
    },
    // The account page (views/account-page.ts, or its login page), its forms, and the
    // remove-access page (views/remove-access-page.ts).
    { name: 'account', method: 'GET', path: '/account', handler: account.show },
    { name: 'account_login', method: 'POST', path: '/account/login', handler: account.submitLogin },
    { name: 'account_logout', method: 'POST', path: '/account/logout', handler: account.signOut },
    {
      name: 'account_grant_revoke',
      method: 'GET',
      path: '/account/grants/:grant/revoke',
      handler: account.confirmRemoval,
    },
    {
      name: 'account_grant_revoke',
      method: 'POST',
      path: '/account/grants/:grant/revoke',
      handler: account.remove,
    },
  ];
}

// Dynamic client registration (RFC 7591) and each client's own registration (RFC 7592).
function registration(routes: ReturnType<typeof registrationRoutes>): HostRoute[] {
  const client = `${REGISTRATION_PATH}/:clientId`;
  return [
    { name: 'registration', method: 'POST', path: REGISTRATION_PATH, handler: routes.register },
    { name: 'registration_client', method: 'GET', path: client, handler: routes.read },
    { name: 'registration_client', method: 'PUT', path: client, handler: routes.update },
    { name: 'registration_client', method: 'DELETE', path: client, handler: routes.remove },
  ];
}
