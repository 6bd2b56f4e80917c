import { html, type SafeHtml } from './html.ts';
import { t } from './i18n.ts';

/** A provider as the account page lists it: linked (since when) or not. */
export interface AccountProvider {
  id: string;
  name: string;
  /** When the user's account was linked to it; null: not linked. */
  linkedAt: Date | null;
}

/**
 * The account page's "Sign in with another provider": each provider, linked or not, with a
 * button to link it (a trip to the provider) or to unlink it. Nothing when the server has no
 * provider and the user no link.
 *
 * @example
 * identityProvidersSection([{ id: 'acme', name: 'Acme SSO', linkedAt: null }], csrf);
 */
export function identityProvidersSection(
  providers: readonly AccountProvider[],
  csrf: string,
): SafeHtml {
  if (providers.length === 0) return html``;
  return html`<section class="app" aria-labelledby="other-providers">
<h2 id="other-providers">${t('providers_account.heading')}</h2>
<p class="muted">${t('providers_account.hint')}</p>
${providers.map((p) => {
  const action = `/account/identity-providers/${encodeURIComponent(p.id)}/${p.linkedAt ? 'unlink' : 'link'}`;
  return html`<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${csrf}">
<p><strong>${p.name}</strong>: ${p.linkedAt ? t('providers_account.linked_on', { date: p.linkedAt.toISOString().slice(0, 10) }) : t('providers_account.not_linked')}</p>
<button class="${p.linkedAt ? 'danger-outline' : 'secondary'}" type="submit">${t(p.linkedAt ? 'providers_account.unlink' : 'providers_account.link', { provider: p.name })}</button>
</form>`;
})}
</section>`;
}
