import { html, page, type SafeHtml } from './html.ts';

// The error above a form, which the field it is about points to.
export const formError = (error: string | undefined): SafeHtml =>
  error ? html`<p class="error" id="form-error" role="alert">${error}</p>` : html``;
const describedBy = (error: string | undefined): SafeHtml =>
  error ? html` aria-describedby="form-error"` : html``;

/** What the new-password forms show: where they post, their CSRF token, whose, what went wrong. */
interface PasswordFormOptions {
  action: string;
  csrf: string;
  username: string;
  error?: string;
}

/** "Forgot your password?": the address to send a reset link to. */
export function forgotPasswordPage(options: { action: string; csrf: string }): string {
  return page(
    'Reset your password',
    html`<h1>Reset your password</h1>
<p class="muted">Type the e-mail address of your account. If it belongs to an account, we send a link to choose a new password.</p>
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="email">E-mail address</label>
<input id="email" name="email" type="email" autocomplete="email" autocapitalize="none" spellcheck="false" maxlength="254" required autofocus>
<button class="primary" type="submit">Send the link</button>
</form>
<p><a href="/account">Back to sign in</a></p>`,
  );
}

/** The new-password form of a reset link, with the choice to sign out everywhere (on by default). */
export function resetPasswordPage(options: PasswordFormOptions): string {
  return page(
    'Choose a new password',
    html`<h1>Choose a new password</h1>
<p class="muted">For the account <strong>${options.username}</strong>.</p>
${formError(options.error)}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
${newPasswordFields(options.error)}
<p class="check"><input id="end_sessions" name="end_sessions" type="checkbox" value="on" checked>
<label for="end_sessions">Sign out everywhere: end every session and app access of this account</label></p>
<button class="primary" type="submit">Set the password</button>
</form>`,
  );
}

/** /account's password change: the current password, then the new one twice. */
export function changePasswordPage(options: PasswordFormOptions): string {
  return page(
    'Change your password',
    html`<h1>Change your password</h1>
<p class="muted">Signed in as <strong>${options.username}</strong>. Your other sessions end; this one stays.</p>
${formError(options.error)}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="current_password">Current password</label>
<input id="current_password" name="current_password" type="password" autocomplete="current-password" required autofocus${describedBy(options.error)}>
${newPasswordFields(undefined)}
<button class="primary" type="submit">Change the password</button>
</form>
<p><a href="/account">Back to your account</a></p>`,
  );
}

// The new password and its confirmation, with the policy `users create` applies.
export function newPasswordFields(error: string | undefined): SafeHtml {
  return html`<label for="new_password">New password</label>
<p class="muted" id="new-password-hint">8 to 1024 characters, not your username.</p>
<input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="8" maxlength="1024" required aria-describedby="new-password-hint${error ? ' form-error' : ''}"${error ? html` autofocus` : html``}>
<label for="confirm_password">New password again</label>
<input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" minlength="8" maxlength="1024" required>`;
}
