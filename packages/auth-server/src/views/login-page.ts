import { FORGOT_PASSWORD_PATH, SIGNUP_PATH } from '../domain/account-paths.ts';
import { html, page, tHtml } from './html.ts';
import { type Said, say, t } from './i18n.ts';
import { type ProviderButton, providerButtons } from './identity-provider-pages.ts';
import { type PasskeyForm, passwordlessButton } from './passkey-pages.ts';

/** What the login and consent pages show of a client. */
export interface ClientDisplay {
  /** The client's registered name ({@link verbatim}), or a message when there is none. */
  name: Said;
  homepage?: string | undefined;
  logo?: string | undefined;
}

/**
 * The sign-in form; `error` is the one message for every failure (no account enumeration). The
 * focus starts on the username, or on the password when a failed attempt kept the username.
 */
export function loginPage(options: {
  action: string;
  csrf: string;
  client: ClientDisplay;
  username?: string;
  error?: Said;
  /** Other identity providers, a "Sign in with" button each. */
  providers?: readonly ProviderButton[];
  /** Show "Forgot your password?" (mail is on). */
  forgotPassword?: boolean;
  /** Show "Create an account" (open sign-up). */
  signUp?: boolean;
  /** "Sign in with a passkey" (shown by the passkey script only). */
  passkey?: PasskeyForm;
}): string {
  // After a failed attempt the username is kept: the password is what to type again.
  const retry = Boolean(options.error && options.username);
  return page(
    t('login.title'),
    html`<h1>${t('login.title')}</h1>
<p class="muted">${tHtml('login.continue_to', { client: html`<strong>${say(options.client.name)}</strong>` })}</p>
${options.error ? html`<p class="error" id="login-error" role="alert">${say(options.error)}</p>` : html``}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="username">${t('login.username')}</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required${retry ? html`` : html` autofocus`} value="${options.username ?? ''}">
<label for="password">${t('login.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${retry ? html` autofocus` : html``}${options.error ? html` aria-describedby="login-error"` : html``}>
<button class="primary" type="submit">${t('login.submit')}</button>
</form>
${options.passkey ? passwordlessButton(options.passkey) : html``}
${options.forgotPassword ? html`<p><a href="${FORGOT_PASSWORD_PATH}">${t('login.forgot')}</a></p>` : html``}
${options.signUp ? html`<p>${t('login.no_account')} <a href="${SIGNUP_PATH}">${t('login.signup')}</a></p>` : html``}
${providerButtons(options.providers ?? [], options.csrf)}`,
  );
}
