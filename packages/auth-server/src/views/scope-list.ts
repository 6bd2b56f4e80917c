import { html, type SafeHtml } from './html.ts';

/** A scope as the consent page shows it. */
export interface ScopeLine {
  name: string;
  description: string;
  /** The API it is for, absent for OpenID scopes. */
  resource?: string;
}

/** The scopes of a grant or a request, each with its description (and its API). */
export function scopeList(scopes: ScopeLine[]): SafeHtml {
  return html`<ul class="scopes">
${scopes.map((s) => html`<li>${s.description}<br><code>${s.name}${s.resource ? ` · ${s.resource}` : ''}</code></li>`)}
</ul>`;
}
