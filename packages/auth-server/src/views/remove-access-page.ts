import type { AuthorisedApp } from './account-page.ts';
import { revokePath } from './account-page.ts';
import { html, page } from './html.ts';
import { scopeList } from './scope-list.ts';

/**
 * Asks before removing an app's access: says what it means, and the form (with its CSRF token)
 * that does it. Works without JavaScript, which our pages' CSP does not allow anyway.
 */
export function removeAccessPage(options: { csrf: string; app: AuthorisedApp }): string {
  const { app } = options;
  return page(
    'Remove access',
    html`<h1>Remove access for ${app.clientName}?</h1>
<p>${app.clientName} will no longer be able to use your account. Its refresh tokens stop working now, and the access tokens it holds expire within minutes. To use it again, you will have to allow it again.</p>
<p class="muted">It may now:</p>
${scopeList(app.scopes)}
<form method="post" action="${revokePath(app.grantId)}">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="danger" type="submit">Remove access</button>
</form>
<a class="button secondary" href="/account">Cancel</a>`,
  );
}
