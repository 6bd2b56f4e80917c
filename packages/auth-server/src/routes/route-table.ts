import type { Database } from '@portcullis/storage';
import {
  CHANGE_PASSWORD_PATH,
  FORGOT_PASSWORD_PATH,
  SEND_VERIFICATION_PATH,
  SIGNUP_COMPLETE_PATH,
  SIGNUP_PATH,
} from '../domain/account-paths.ts';
import { REGISTRATION_PATH } from '../domain/registration-path.ts';
import { REVOCATION_FEED_PATH } from '../domain/revocation-feed-path.ts';
import type { DevMailbox } from '../mail/mailer.ts';
import { BRAND_LOGO_PATH, type Brand, DEFAULT_BRAND } from '../views/brand.ts';
import { PASSKEY_SCRIPT_PATH } from '../views/passkey-pages.ts';
import { type AccountDeps, accountRoutes } from './account.ts';
import { type AccountSecurityDeps, accountSecurityRoutes } from './account-security.ts';
import {
  FAVICON_ASSET,
  logoAsset,
  PASSKEY_SCRIPT_ASSET,
  serveAsset,
  stylesheetAsset,
} from './assets.ts';
import { devMailRoute } from './dev-mail.ts';
import { healthRoutes } from './health.ts';
import { showHome } from './home.ts';
import {
  IDP_CALLBACK_PATH,
  type IdentityProviderRoutesDeps,
  identityProviderRoutes,
} from './identity-providers/index.ts';
import { type LoginAndConsentDeps, loginAndConsentRoutes } from './login-and-consent.ts';
import { CODE_PASSKEY_PATH } from './mfa-account.ts';
import { ACCOUNT_PASSKEY_PATH } from './passkeys-account.ts';
import { type PasswordResetDeps, passwordResetRoutes } from './password-reset.ts';
import { type RegistrationDeps, registrationRoutes } from './registration.ts';
import { type RevocationFeedDeps, revocationFeedRoute } from './revocation-feed.ts';
import type { HostRoute, RouteHandler } from './route.ts';
import { type SignupRoutes, type SignupRoutesDeps, signupRoutes } from './signup.ts';

/** What the host app's routes need. */
export interface RouteTableDeps {
  db: Database;
  /** The brand: the stylesheet's colour and the logo served (config/brand.ts); unset: ours. */
  brand?: Brand;
  interaction: LoginAndConsentDeps;
  account: AccountDeps;
  /** "Sign in with" other identity providers, from the login page. */
  identityProviders: IdentityProviderRoutesDeps;
  /** Dynamic client registration; undefined when it is off (its paths are then not ours: 404). */
  registration?: RegistrationDeps;
  /** Password change and e-mail verification on /account. */
  accountSecurity: AccountSecurityDeps;
  /** Password reset by mail; undefined when mail is off (its paths then answer 404). */
  passwordReset?: PasswordResetDeps;
  /** Self-registration; undefined when PORTCULLIS_SIGNUP is off (its paths then answer 404). */
  signup?: SignupRoutesDeps;
  /** The revocation feed for resource servers; undefined: not served (404). */
  revocationFeed?: RevocationFeedDeps;
  /** `dev`'s kept mail, served at /dev/mail; undefined in `serve` and with SMTP. */
  devMail?: DevMailbox;
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
  const brand = deps.brand ?? DEFAULT_BRAND;
  const interaction = loginAndConsentRoutes(deps.interaction);
  const idp = identityProviderRoutes(deps.identityProviders, interaction.signedIn);
  const account = accountRoutes({
    ...deps.account,
    otherProviders: { section: idp.accountSection },
  });
  return [
    ...(deps.registration ? registration(registrationRoutes(deps.registration)) : []),
    ...accountSecurity(accountSecurityRoutes(deps.accountSecurity)),
    ...(deps.passwordReset ? passwordReset(passwordResetRoutes(deps.passwordReset)) : []),
    ...(deps.signup ? signupTable(deps.signup) : []),
    ...(deps.devMail
      ? [
          {
            name: 'dev_mail',
            method: 'GET',
            path: '/dev/mail',
            handler: devMailRoute(deps.devMail),
          } as const,
        ]
      : []),
    ...(deps.revocationFeed
      ? [
          {
            name: 'revocation_feed',
            method: 'GET',
            path: REVOCATION_FEED_PATH,
            handler: revocationFeedRoute(deps.revocationFeed),
          } as const,
        ]
      : []),
    { name: 'home', method: 'GET', path: '/', handler: showHome },
    { name: 'favicon', method: 'GET', path: '/favicon.ico', handler: serveAsset(FAVICON_ASSET) },
    { name: 'healthz', method: 'GET', path: '/healthz', handler: health.live },
    { name: 'readyz', method: 'GET', path: '/readyz', handler: health.ready },
    {
      name: 'assets',
      method: 'GET',
      path: '/assets/portcullis.css',
      handler: serveAsset(stylesheetAsset(brand)),
    },
    {
      name: 'assets_passkeys',
      method: 'GET',
      path: PASSKEY_SCRIPT_PATH,
      handler: serveAsset(PASSKEY_SCRIPT_ASSET),
    },
    ...(brand.logo
      ? [
          {
            name: 'brand_logo',
            method: 'GET',
            path: BRAND_LOGO_PATH,
            handler: serveAsset(logoAsset(brand.logo)),
          } as const,
        ]
      : []),
    // The login or the consent page (views/login-page.ts, views/consent-page.ts), and their
    // forms.
    { name: 'interaction', method: 'GET', path: '/interaction/:uid', handler: interaction.show },
    {
      name: 'interaction_login',
      method: 'POST',
      path: '/interaction/:uid/login',
      handler: interaction.submitLogin,
    },
    // The second step of a sign-in (views/mfa-pages.ts): a code, or setting up an app.
    {
      name: 'interaction_mfa',
      method: 'POST',
      path: '/interaction/:uid/mfa',
      handler: interaction.submitCode,
    },
    {
      name: 'interaction_mfa_setup',
      method: 'POST',
      path: '/interaction/:uid/mfa/setup',
      handler: interaction.submitSetup,
    },
    {
      name: 'interaction_mfa_setup_passkey',
      method: 'POST',
      path: '/interaction/:uid/mfa/setup/passkey',
      handler: interaction.submitPasskeySetup,
    },
    // Passkeys (routes/passkey-sign-in.ts): as the second step, and the login page's passwordless
    // button.
    {
      name: 'interaction_mfa_passkey',
      method: 'POST',
      path: '/interaction/:uid/mfa/passkey',
      handler: interaction.submitPasskey,
    },
    {
      name: 'interaction_passkey',
      method: 'POST',
      path: '/interaction/:uid/passkey',
      handler: interaction.submitPasswordless,
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
    // /account's providers: linking one (a trip there, back through idp_callback), unlinking one.
    {
      name: 'account_idp_link',
      method: 'POST',
      path: '/account/identity-providers/:idp/link',
      handler: idp.accountLink,
    },
    {
      name: 'account_idp_unlink',
      method: 'POST',
      path: '/account/identity-providers/:idp/unlink',
      handler: idp.accountUnlink,
    },
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
    // Second factors on the account pages (views/mfa-pages.ts).
    {
      name: 'account_login_code',
      method: 'GET',
      path: '/account/login/code',
      handler: account.showCode,
    },
    {
      name: 'account_login_code',
      method: 'POST',
      path: '/account/login/code',
      handler: account.submitCode,
    },
    { name: 'account_mfa', method: 'GET', path: '/account/mfa', handler: account.showMfaSetup },
    { name: 'account_mfa', method: 'POST', path: '/account/mfa', handler: account.submitMfaSetup },
    {
      name: 'account_mfa_remove',
      method: 'POST',
      path: '/account/mfa/remove',
      handler: account.removeMfa,
    },
    // Passkeys on the account pages (views/passkey-pages.ts, routes/passkeys-account.ts).
    {
      name: 'account_login_code_passkey',
      method: 'POST',
      path: CODE_PASSKEY_PATH,
      handler: account.submitCodePasskey,
    },
    {
      name: 'account_login_passkey',
      method: 'POST',
      path: ACCOUNT_PASSKEY_PATH,
      handler: account.signInWithPasskey,
    },
    shown('account_passkey_new', '/account/passkeys/new', account.showAddPasskey),
    {
      name: 'account_passkey_new',
      method: 'POST',
      path: '/account/passkeys/new',
      handler: account.submitAddPasskey,
    },
    shown('account_passkey_rename', '/account/passkeys/:id/rename', account.showRenamePasskey),
    {
      name: 'account_passkey_rename',
      method: 'POST',
      path: '/account/passkeys/:id/rename',
      handler: account.renamePasskey,
    },
    shown('account_passkey_remove', '/account/passkeys/:id/remove', account.confirmRemovePasskey),
    {
      name: 'account_passkey_remove',
      method: 'POST',
      path: '/account/passkeys/:id/remove',
      handler: account.removePasskey,
    },
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

// /account's password change and e-mail verification (routes/account-security.ts).
function accountSecurity(routes: ReturnType<typeof accountSecurityRoutes>): HostRoute[] {
  const password = CHANGE_PASSWORD_PATH;
  const verify = `${SEND_VERIFICATION_PATH}/:token`;
  return [
    { name: 'account_password', method: 'GET', path: password, handler: routes.showChange },
    { name: 'account_password', method: 'POST', path: password, handler: routes.submitChange },
    shown('account_password_changed', `${password}/changed`, routes.showChanged),
    {
      name: 'account_email_verify',
      method: 'POST',
      path: SEND_VERIFICATION_PATH,
      handler: routes.sendVerification,
    },
    shown('account_email_sent', '/account/email/sent', routes.showSent),
    { name: 'account_email_link', method: 'GET', path: verify, handler: routes.showVerify },
    { name: 'account_email_link', method: 'POST', path: verify, handler: routes.submitVerify },
    shown('account_email_verified', '/account/email/verified', routes.showVerified),
  ];
}

// Password reset by mailed link (routes/password-reset.ts); the link's secret is a path segment,
// which the access line shows as `:token`.
function passwordReset(routes: ReturnType<typeof passwordResetRoutes>): HostRoute[] {
  const forgot = FORGOT_PASSWORD_PATH;
  const reset = '/account/password/reset/:token';
  return [
    { name: 'password_forgot', method: 'GET', path: forgot, handler: routes.showForgot },
    { name: 'password_forgot', method: 'POST', path: forgot, handler: routes.submitForgot },
    shown('password_forgot_sent', `${forgot}/sent`, routes.showSent),
    { name: 'password_reset', method: 'GET', path: reset, handler: routes.showReset },
    { name: 'password_reset', method: 'POST', path: reset, handler: routes.submitReset },
    shown('password_reset_done', '/account/password/reset-done', routes.showDone),
  ];
}

// Self-registration's routes: the links' pages, and with open sign-up the address form.
function signupTable(deps: SignupRoutesDeps): HostRoute[] {
  const routes = signupRoutes(deps);
  return [...signup(routes), ...(deps.open ? openSignup(routes) : [])];
}

// Self-registration (routes/signup.ts); the link's secret is a path segment, shown as `:token`.
function signup(routes: SignupRoutes): HostRoute[] {
  const complete = `${SIGNUP_COMPLETE_PATH}:token`;
  return [
    { name: 'signup_complete', method: 'GET', path: complete, handler: routes.showComplete },
    { name: 'signup_complete', method: 'POST', path: complete, handler: routes.submitComplete },
    shown('signup_done', '/account/signup/done', routes.showDone),
  ];
}

// Open sign-up's address form (routes/signup.ts), only with PORTCULLIS_SIGNUP=open.
function openSignup(routes: SignupRoutes): HostRoute[] {
  return [
    { name: 'signup', method: 'GET', path: SIGNUP_PATH, handler: routes.showSignup },
    { name: 'signup', method: 'POST', path: SIGNUP_PATH, handler: routes.submitSignup },
    shown('signup_sent', `${SIGNUP_PATH}/sent`, routes.showSent),
  ];
}

// A GET route: a page that only shows something.
function shown(name: string, path: string, handler: RouteHandler): HostRoute {
  return { name, method: 'GET', path, handler };
}
