import { html, page, type SafeHtml, tHtml } from './html.ts';
import { type Said, say, t } from './i18n.ts';

// The error above a form, which the field it is about points to (in the page's language when it
// is one of the messages).
export const formError = (error: Said | undefined): SafeHtml =>
  error ? html`<p class="error" id="form-error" role="alert">${say(error)}</p>` : html``;
const describedBy = (error: Said | undefined): SafeHtml =>
  error ? html` aria-describedby="form-error"` : html``;

/** What the new-password forms show: where they post, their CSRF token, whose, what went wrong. */
interface PasswordFormOptions {
  action: string;
  csrf: string;
  username: string;
  error?: Said;
}

/** "Forgot your password?": the address to send a reset link to. */
export function forgotPasswordPage(options: { action: string; csrf: string }): string {
  return page(
    t('password.forgot_title'),
    html`<h1>${t('password.forgot_title')}</h1>
<p class="muted">${t('password.forgot_intro')}</p>
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="email">${t('password.email')}</label>
<input id="email" name="email" type="email" autocomplete="email" autocapitalize="none" spellcheck="false" maxlength="254" required autofocus>
<button class="primary" type="submit">${t('password.send_link')}</button>
</form>
<p><a href="/account">${t('password.back_to_sign_in')}</a></p>`,
  );
}

/** The new-password form of a reset link, with the choice to sign out everywhere (on by default). */
export function resetPasswordPage(options: PasswordFormOptions): string {
  return page(
    t('password.reset_title'),
    html`<h1>${t('password.reset_title')}</h1>
<p class="muted">${tHtml('password.for_account', { username: html`<strong>${options.username}</strong>` })}</p>
${formError(options.error)}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
${newPasswordFields(options.error)}
<p class="check"><input id="end_sessions" name="end_sessions" type="checkbox" value="on" checked>
<label for="end_sessions">${t('password.end_sessions')}</label></p>
<button class="primary" type="submit">${t('password.set')}</button>
</form>`,
  );
}

/** /account's password change: the current password, then the new one twice. */
export function changePasswordPage(options: PasswordFormOptions): string {
  return page(
    t('password.change_title'),
    html`<h1>${t('password.change_title')}</h1>
<p class="muted">${tHtml('password.change_intro', { username: html`<strong>${options.username}</strong>` })}</p>
${formError(options.error)}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="current_password">${t('password.current')}</label>
<input id="current_password" name="current_password" type="password" autocomplete="current-password" required autofocus${describedBy(options.error)}>
${newPasswordFields(undefined)}
<button class="primary" type="submit">${t('password.change_submit')}</button>
</form>
<p><a href="/account">${t('password.back_to_account')}</a></p>`,
  );
}

// The new password and its confirmation, with the policy `users create` applies.
export function newPasswordFields(error: Said | undefined): SafeHtml {
  return html`<label for="new_password">${t('password.new')}</label>
<p class="muted" id="new-password-hint">${t('password.policy')}</p>
<input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="8" maxlength="1024" required aria-describedby="new-password-hint${error ? ' form-error' : ''}"${error ? html` autofocus` : html``}>
<label for="confirm_password">${t('password.again')}</label>
<input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" minlength="8" maxlength="1024" required>`;
}
