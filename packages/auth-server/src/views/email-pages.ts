import { html, page, tHtml } from './html.ts';
import { t } from './i18n.ts';

/** A verification link's page: the address, and a button that verifies it (a GET never does). */
export function verifyEmailPage(options: { action: string; csrf: string; email: string }): string {
  return page(
    t('verify.title'),
    html`<h1>${t('verify.title')}</h1>
<p>${tHtml('verify.confirm', { email: html`<strong>${options.email}</strong>` })}</p>
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="primary" type="submit">${t('verify.submit', { email: options.email })}</button>
</form>`,
  );
}
