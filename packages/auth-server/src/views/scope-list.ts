import { html, type SafeHtml } from './html.ts';
import { type MessageKey, t } from './i18n.ts';

/** A scope as the consent page shows it. */
export interface ScopeLine {
  name: string;
  /** An API scope's description as its operator wrote it; an OpenID scope's is a message. */
  description: string;
  /** The API it is for, absent for OpenID scopes. */
  resource?: string;
}

// The OpenID scopes' descriptions (domain/oidc-scopes.ts has them in English), by scope name.
const OIDC_SCOPE_MESSAGES: Readonly<Record<string, MessageKey>> = {
  openid: 'scope.openid',
  profile: 'scope.profile',
  email: 'scope.email',
  offline_access: 'scope.offline_access',
};

/**
 * The scopes of a grant or a request, each with its description (and its API). An OpenID scope's
 * description is a message in the page's language; an API's scopes are described as their
 * operator wrote them.
 */
export function scopeList(scopes: ScopeLine[]): SafeHtml {
  const describe = (s: ScopeLine) => {
    const key = s.resource ? undefined : OIDC_SCOPE_MESSAGES[s.name];
    return key ? t(key) : s.description;
  };
  return html`<ul class="scopes">
${scopes.map((s) => html`<li>${describe(s)}<br><code>${s.name}${s.resource ? ` · ${s.resource}` : ''}</code></li>`)}
</ul>`;
}
