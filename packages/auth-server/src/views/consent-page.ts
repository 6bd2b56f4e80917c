import { html, page, tHtml } from './html.ts';
import { say, t } from './i18n.ts';
import type { ClientDisplay } from './login-page.ts';
import { type ScopeLine, scopeList } from './scope-list.ts';

/**
 * The consent form: the client, each scope with its description, approve or deny. The client's
 * logo comes after the heading and is sized by max-width/max-height only: a logo that does not
 * load (unreachable, refused by the CSP, not an image) has an empty alt and so renders as
 * nothing, where fixed dimensions would draw a broken-image box. Only what the request adds is
 * asked for; what the user already allowed is listed apart, so a page for one new scope does not
 * read as a request for everything again.
 *
 * @example
 * consentPage({ action, csrf, client, username: 'alice', scopes: [notesWrite], granted: [notesRead] });
 */
export function consentPage(options: {
  action: string;
  csrf: string;
  client: ClientDisplay;
  username: string;
  /** What the request adds to what the user already allowed. */
  scopes: ScopeLine[];
  /** What the user already allowed this app (from any browser), listed apart. */
  granted?: ScopeLine[];
}): string {
  const { client } = options;
  const granted = options.granted ?? [];
  return page(
    t('consent.title'),
    html`<div class="client">
<h1>${tHtml('consent.heading', { client: html`<strong>${say(client.name)}</strong>` })}</h1>
${client.logo ? html`<img src="${client.logo}" alt="">` : html``}
</div>
${client.homepage ? html`<p class="muted"><a href="${client.homepage}" rel="noopener noreferrer">${client.homepage}</a></p>` : html``}
<p>${tHtml('consent.signed_in_as', { username: html`<strong>${options.username}</strong>` })} ${asks(options.scopes, granted)}</p>
${options.scopes.length > 0 ? scopeList(options.scopes) : html``}
${
  granted.length > 0
    ? html`<p class="muted">${t('consent.already')}</p>
${scopeList(granted)}`
    : html``
}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="primary" type="submit" name="decision" value="approve">${t('consent.allow')}</button>
<button class="secondary" type="submit" name="decision" value="deny">${t('consent.deny')}</button>
</form>`,
  );
}

function asks(scopes: ScopeLine[], granted: ScopeLine[]): string {
  if (scopes.length === 0) return t('consent.asks_again');
  return t(granted.length > 0 ? 'consent.asks_more' : 'consent.asks');
}
