import { SIGNUP_PATH } from '../domain/account-paths.ts';
import { html, page } from './html.ts';
import { formError, newPasswordFields } from './password-pages.ts';

/** The page of a usable invitation or sign-up link: the username and password of the account. */
export function completeSignupPage(options: {
  action: string;
  csrf: string;
  email: string;
  username?: string;
  error?: string;
}): string {
  return page(
    'Create your account',
    html`<h1>Create your account</h1>
<p class="muted">Your account's address is <strong>${options.email}</strong>, verified by this link.</p>
${formError(options.error)}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="username">Username</label>
<p class="muted" id="username-hint">1 to 64 letters, digits, ".", "_", "@" or "-".</p>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="64" required value="${options.username ?? ''}" aria-describedby="username-hint"${options.error ? html`` : html` autofocus`}>
${newPasswordFields(options.error)}
<button class="primary" type="submit">Create the account</button>
</form>`,
  );
}

/** Open sign-up: the address to mail a link to. */
export function signupPage(options: { csrf: string; email?: string; error?: string }): string {
  return page(
    'Create an account',
    html`<h1>Create an account</h1>
<p class="muted">Type your e-mail address. We send a link to it; the link lets you choose your username and password.</p>
${formError(options.error)}
<form method="post" action="${SIGNUP_PATH}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="email">E-mail address</label>
<input id="email" name="email" type="email" autocomplete="email" autocapitalize="none" spellcheck="false" maxlength="254" required autofocus value="${options.email ?? ''}"${options.error ? html` aria-describedby="form-error"` : html``}>
<button class="primary" type="submit">Send the link</button>
</form>
<p><a href="/account">Back to sign in</a></p>`,
  );
}
