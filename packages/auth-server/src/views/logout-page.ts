import { html, page, trusted } from './html.ts';
import { t } from './i18n.ts';

/** oidc-provider's logout confirmation, around its form (which carries its own CSRF field). */
export function logoutPage(form: string, host: string): string {
  return page(
    t('logout.title'),
    html`<h1>${t('logout.heading', { host })}</h1>
${trusted(form)}
<button class="primary" type="submit" form="op.logoutForm" value="yes" name="logout" autofocus>${t('logout.yes')}</button>
<button class="secondary" type="submit" form="op.logoutForm">${t('logout.no')}</button>`,
  );
}
