import { html, type SafeHtml } from './html.ts';
import { localize } from './i18n.ts';

/** A scope as the consent page shows it. */
export interface ScopeLine {
  name: string;
  description: string;
  /** The API it is for, absent for OpenID scopes. */
  resource?: string;
}

/**
 * The scopes of a grant or a request, each with its description (and its API). An OpenID scope's
 * description (domain/oidc-scopes.ts) is in the page's language; an API's scopes are described
 * as their operator wrote them.
 */
export function scopeList(scopes: ScopeLine[]): SafeHtml {
  return html`<ul class="scopes">
${scopes.map((s) => html`<li>${s.resource ? s.description : localize(s.description)}<br><code>${s.name}${s.resource ? ` · ${s.resource}` : ''}</code></li>`)}
</ul>`;
}
