import { CHANGE_PASSWORD_PATH, SEND_VERIFICATION_PATH } from '../domain/account-paths.ts';
import { html, page, type SafeHtml, tHtml } from './html.ts';
import { t } from './i18n.ts';
import { rolesSection } from './roles-section.ts';
import { type ScopeLine, scopeList } from './scope-list.ts';

/** An app the user authorised, as the account pages show it. */
export interface AuthorisedApp {
  grantId: string;
  clientName: string;
  grantedAt: Date | null;
  scopes: ScopeLine[];
}

/**
 * The signed-in user's page: the apps they authorised, what each may do, and a link to remove
 * an app's access (a confirmation page, remove-access-page.ts, does it). Headings: the page
 * title (h1), then one smaller h2 per app.
 */
export function accountPage(options: {
  username: string;
  csrf: string;
  apps: AuthorisedApp[];
  /** The account's address (null: none) and whether it is verified. */
  email?: string | null;
  emailVerified?: boolean;
  /** Mail is on: an unverified address gets a "Send a verification link" button. */
  mailEnabled?: boolean;
  /** The user's roles (none: no section). */
  roles?: readonly string[];
  /** More parts of the page (second factors...), after the apps. */
  sections?: SafeHtml[];
}): string {
  return page(
    t('account.title'),
    html`<h1>${t('account.heading')}</h1>
<p class="muted">${tHtml('account.signed_in_as', { username: html`<strong>${options.username}</strong>` })}</p>
${rolesSection(options.roles ?? [])}
${
  options.apps.length === 0
    ? html`<p>${t('account.no_apps')}</p>`
    : options.apps.map(
        (app) => html`<section class="app" aria-labelledby="app-${app.grantId}">
<h2 id="app-${app.grantId}">${app.clientName}</h2>
${app.grantedAt ? html`<p class="muted">${t('account.allowed_on', { date: app.grantedAt.toISOString().slice(0, 10) })}</p>` : html``}
${scopeList(app.scopes)}
<a class="button danger-outline" href="${revokePath(app.grantId)}">${t('account.remove', { app: app.clientName })}</a>
</section>`,
      )
}
${accountDetails(options)}
${options.sections ?? []}
<form class="signed-in" method="post" action="/account/logout">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="secondary" type="submit">${t('account.sign_out')}</button>
</form>`,
  );
}

/**
 * The path of an app's "Remove access": GET shows the confirmation page, POST (from it) removes
 * the access.
 */
export function revokePath(grantId: string): string {
  return `/account/grants/${encodeURIComponent(grantId)}/revoke`;
}

// The address and its state, a verification button when it can be used, and the password change.
function accountDetails(options: {
  csrf: string;
  email?: string | null;
  emailVerified?: boolean;
  mailEnabled?: boolean;
}): SafeHtml {
  const { email } = options;
  const verify =
    email && !options.emailVerified && options.mailEnabled
      ? html`<form method="post" action="${SEND_VERIFICATION_PATH}">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="secondary" type="submit">${t('account.send_verification', { email })}</button>
</form>`
      : html``;
  return html`<section class="app" aria-labelledby="account-details">
<h2 id="account-details">${t('account.details')}</h2>
<p>${tHtml('account.email', { email: email ? tHtml('account.email_state', { email: html`<strong>${email}</strong>`, state: t(options.emailVerified ? 'account.verified' : 'account.not_verified') }) : t('account.no_email') })}</p>
${verify}
<a class="button secondary" href="${CHANGE_PASSWORD_PATH}">${t('account.change_password')}</a>
</section>`;
}
