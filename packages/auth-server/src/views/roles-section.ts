import { html, type SafeHtml } from './html.ts';
import { t } from './i18n.ts';

/**
 * The account page's "Your roles": the roles an operator gave the user, which decide the
 * permissions apps can get for them (role-gated scopes). Nothing when the user has none: most
 * users never will, and an empty heading would only puzzle them.
 *
 * @example
 * rolesSection(['notes-admin']); // <section ...><h2 id="your-roles">Your roles</h2>...
 */
export function rolesSection(roles: readonly string[]): SafeHtml {
  if (roles.length === 0) return html``;
  return html`<section class="roles" aria-labelledby="your-roles">
<h2 id="your-roles">${t('roles.heading')}</h2>
<p class="muted">${t('roles.hint')}</p>
<ul>
${roles.map((role) => html`<li><code>${role}</code></li>`)}
</ul>
</section>`;
}
