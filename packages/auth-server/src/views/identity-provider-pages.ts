import { html, page, tHtml } from './html.ts';
import { type Said, say, t } from './i18n.ts';

/** A "Sign in with" button of the login page: a form of its own, posted without script. */
export interface ProviderButton {
  name: string;
  action: string;
}

/** The login page's other providers, one button each under the password form. */
export function providerButtons(providers: readonly ProviderButton[], csrf: string) {
  if (providers.length === 0) return html``;
  return html`<section class="providers" aria-labelledby="providers-heading">
<h2 id="providers-heading" class="muted">${t('providers.heading')}</h2>
${providers.map(
  (provider) => html`<form method="post" action="${provider.action}">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit">${t('providers.button', { provider: provider.name })}</button>
</form>`,
)}
</section>`;
}

/**
 * Linking an account of another provider to one here that has the same (verified) e-mail: only
 * once the user proves, with its password, that the account here is theirs.
 */
export function linkAccountPage(options: {
  action: string;
  csrf: string;
  provider: string;
  email: string;
  error?: Said;
}): string {
  return page(
    t('link.title'),
    html`<h1>${t('link.title')}</h1>
<p>${tHtml('link.explain', { email: html`<strong>${options.email}</strong>`, provider: options.provider })}</p>
${options.error ? html`<p class="error" id="link-error" role="alert">${say(options.error)}</p>` : html``}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="password">${t('link.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus${options.error ? html` aria-describedby="link-error"` : html``}>
<button class="primary" type="submit">${t('link.submit')}</button>
</form>`,
  );
}
