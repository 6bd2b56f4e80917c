import type { AuthorisedApp } from './account-page.ts';
import { revokePath } from './account-page.ts';
import { html, page } from './html.ts';
import { t } from './i18n.ts';
import { scopeList } from './scope-list.ts';

/**
 * Asks before removing an app's access: says what it means, and the form (with its CSRF token)
 * that does it. Works without JavaScript, which our pages' CSP does not allow anyway.
 */
export function removeAccessPage(options: { csrf: string; app: AuthorisedApp }): string {
  const { app } = options;
  return page(
    t('remove.title'),
    html`<h1>${t('remove.heading', { app: app.clientName })}</h1>
<p>${t('remove.explain', { app: app.clientName })}</p>
<p class="muted">${t('remove.may_now')}</p>
${scopeList(app.scopes)}
<form method="post" action="${revokePath(app.grantId)}">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="danger" type="submit">${t('remove.submit')}</button>
</form>
<a class="button secondary" href="/account">${t('remove.cancel')}</a>`,
  );
}
