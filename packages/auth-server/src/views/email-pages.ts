import { html, page } from './html.ts';

/** A verification link's page: the address, and a button that verifies it (a GET never does). */
export function verifyEmailPage(options: { action: string; csrf: string; email: string }): string {
  return page(
    'Verify your e-mail address',
    html`<h1>Verify your e-mail address</h1>
<p>Confirm that <strong>${options.email}</strong> is your address.</p>
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="primary" type="submit">Verify ${options.email}</button>
</form>`,
  );
}
