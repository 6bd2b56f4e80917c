import { SIGNUP_PATH } from '../domain/account-paths.ts';
import { html, page, tHtml } from './html.ts';
import { type Said, t } from './i18n.ts';
import { formError, newPasswordFields } from './password-pages.ts';

/** The page of a usable invitation or sign-up link: the username and password of the account. */
export function completeSignupPage(options: {
  action: string;
  csrf: string;
  email: string;
  username?: string;
  error?: Said;
}): string {
  return page(
    t('signup.complete_title'),
    html`<h1>${t('signup.complete_title')}</h1>
<p class="muted">${tHtml('signup.address_is', { email: html`<strong>${options.email}</strong>` })}</p>
${formError(options.error)}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="username">${t('login.username')}</label>
<p class="muted" id="username-hint">${t('signup.username_hint')}</p>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="64" required value="${options.username ?? ''}" aria-describedby="username-hint"${options.error ? html`` : html` autofocus`}>
${newPasswordFields(options.error)}
<button class="primary" type="submit">${t('signup.submit')}</button>
</form>`,
  );
}

/** Open sign-up: the address to mail a link to. */
export function signupPage(options: { csrf: string; email?: string; error?: Said }): string {
  return page(
    t('signup.title'),
    html`<h1>${t('signup.title')}</h1>
<p class="muted">${t('signup.intro')}</p>
${formError(options.error)}
<form method="post" action="${SIGNUP_PATH}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="email">${t('password.email')}</label>
<input id="email" name="email" type="email" autocomplete="email" autocapitalize="none" spellcheck="false" maxlength="254" required autofocus value="${options.email ?? ''}"${options.error ? html` aria-describedby="form-error"` : html``}>
<button class="primary" type="submit">${t('password.send_link')}</button>
</form>
<p><a href="/account">${t('password.back_to_sign_in')}</a></p>`,
  );
}
