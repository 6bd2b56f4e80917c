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
