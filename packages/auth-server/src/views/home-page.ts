import { html, page } from './html.ts';
import { t } from './i18n.ts';
import { currentBrand } from './page-context.ts';

/** `/`: what this server is, with the way to the account page and to discovery. */
export function homePage(): string {
  return page(
    t('home.title'),
    html`<h1>${currentBrand().name}</h1>
<p>${t('home.intro')}</p>
<ul class="links">
<li><a href="/account">${t('home.account')}</a>: ${t('home.account_hint')}</li>
<li><a href="/.well-known/openid-configuration">${t('home.discovery')}</a>: ${t('home.discovery_hint')}</li>
</ul>`,
  );
}
