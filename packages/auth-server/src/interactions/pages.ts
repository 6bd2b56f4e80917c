import { html, page, type SafeHtml, trusted } from './html.ts';

/** A scope as the consent page shows it. */
export interface ScopeLine {
  name: string;
  description: string;
  /** The API it is for, absent for OpenID scopes. */
  resource?: string;
}

/** What the consent page shows of a client. */
export interface ClientDisplay {
  name: string;
  homepage?: string | undefined;
  logo?: string | undefined;
}

/**
 * The sign-in form; `error` is the one message for every failure (no account enumeration). The
 * focus starts on the username, or on the password when a failed attempt kept the username.
 */
export function loginPage(options: {
  action: string;
  csrf: string;
  client: ClientDisplay;
  username?: string;
  error?: string;
}): string {
  // After a failed attempt the username is kept: the password is what to type again.
  const retry = Boolean(options.error && options.username);
  return page(
    'Sign in',
    html`<h1>Sign in</h1>
<p class="muted">to continue to <strong>${options.client.name}</strong></p>
${options.error ? html`<p class="error" id="login-error" role="alert">${options.error}</p>` : html``}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required${retry ? html`` : html` autofocus`} value="${options.username ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${retry ? html` autofocus` : html``}${options.error ? html` aria-describedby="login-error"` : html``}>
<button class="primary" type="submit">Sign in</button>
</form>`,
  );
}

/**
 * The consent form: the client, each scope with its description, approve or deny. The client's
 * logo comes after the heading and is sized by max-width/max-height only: a logo that does not
 * load (unreachable, refused by the CSP, not an image) has an empty alt and so renders as
 * nothing, where fixed dimensions would draw a broken-image box.
 */
export function consentPage(options: {
  action: string;
  csrf: string;
  client: ClientDisplay;
  username: string;
  scopes: ScopeLine[];
}): string {
  const { client } = options;
  return page(
    'Authorize',
    html`<div class="client">
<h1><strong>${client.name}</strong> wants to access your account</h1>
${client.logo ? html`<img src="${client.logo}" alt="">` : html``}
</div>
${client.homepage ? html`<p class="muted"><a href="${client.homepage}" rel="noopener noreferrer">${client.homepage}</a></p>` : html``}
<p>Signed in as <strong>${options.username}</strong>. It asks to:</p>
${scopeList(options.scopes)}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="primary" type="submit" name="decision" value="approve">Allow</button>
<button class="secondary" type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

/** A page that says what happened and what to do, without any detail an attacker could use. */
export function messagePage(title: string, message: string, hint?: string): string {
  return page(
    title,
    html`<h1>${title}</h1>
<p>${message}</p>
${hint ? html`<p class="muted">${hint}</p>` : html``}`,
  );
}

/** oidc-provider's logout confirmation, around its form (which carries its own CSRF field). */
export function logoutPage(form: string, host: string): string {
  return page(
    'Sign out',
    html`<h1>Sign out of ${host}?</h1>
${trusted(form)}
<button class="primary" type="submit" form="op.logoutForm" value="yes" name="logout" autofocus>Yes, sign me out</button>
<button class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}

/** The device-flow code entry page around oidc-provider's form. */
export function deviceCodeInputPage(form: string, error?: string): string {
  return page(
    'Connect a device',
    html`<h1>Connect a device</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : html``}
<p>Enter the code shown on your device.</p>
${trusted(formWithLabel(form))}
<button class="primary" type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

/** The device-flow confirmation page: the user compares the code before going on. */
export function deviceCodeConfirmPage(form: string, clientName: string, userCode: string): string {
  return page(
    'Confirm the device',
    html`<h1>Connect ${clientName}?</h1>
<p>Make sure your device shows this code:</p>
<p class="code">${userCode}</p>
${trusted(form)}
<button class="primary" type="submit" form="op.deviceConfirmForm" autofocus>Continue</button>
<button class="secondary" type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button>
<p class="muted">If you did not start this, or the code differs, cancel.</p>`,
  );
}

// oidc-provider's input has no visible label: give it one, for screen readers and everyone.
function formWithLabel(form: string): string {
  return form
    .replace(/\s*onfocus="[^"]*"/, '')
    .replace(
      /<input\s+(?=[^>]*name="user_code")/,
      '<label for="user_code">Code</label><input id="user_code" ',
    );
}

/** Renders a list of safe fragments (used by callers building their own pages). */
export function join(parts: SafeHtml[]): SafeHtml {
  return { html: parts.map((p) => p.html).join('') };
}

/** An app the user authorised, as the account pages show it. */
export interface AuthorisedApp {
  grantId: string;
  clientName: string;
  grantedAt: Date | null;
  scopes: ScopeLine[];
}

/**
 * The signed-in user's page: the apps they authorised, what each may do, and a link to remove
 * an app's access (a confirmation page, {@link removeAccessPage}, does it). Headings: the page
 * title (h1), then one smaller h2 per app.
 */
export function accountPage(options: {
  username: string;
  csrf: string;
  apps: AuthorisedApp[];
}): string {
  return page(
    'Your apps',
    html`<h1>Apps with access to your account</h1>
<p class="muted">Signed in as <strong>${options.username}</strong>.</p>
${
  options.apps.length === 0
    ? html`<p>No app has access to your account.</p>`
    : options.apps.map(
        (app) => html`<section class="app" aria-labelledby="app-${app.grantId}">
<h2 id="app-${app.grantId}">${app.clientName}</h2>
${app.grantedAt ? html`<p class="muted">Allowed on ${app.grantedAt.toISOString().slice(0, 10)}</p>` : html``}
${scopeList(app.scopes)}
<a class="button danger-outline" href="${revokePath(app.grantId)}">Remove access for ${app.clientName}</a>
</section>`,
      )
}
<form class="signed-in" method="post" action="/account/logout">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="secondary" type="submit">Sign out</button>
</form>`,
  );
}

/**
 * Asks before removing an app's access: says what it means, and the form (with its CSRF token)
 * that does it. Works without JavaScript, which our pages' CSP does not allow anyway.
 */
export function removeAccessPage(options: { csrf: string; app: AuthorisedApp }): string {
  const { app } = options;
  return page(
    'Remove access',
    html`<h1>Remove access for ${app.clientName}?</h1>
<p>${app.clientName} will no longer be able to use your account. Its refresh tokens stop working now, and the access tokens it holds expire within minutes. To use it again, you will have to allow it again.</p>
<p class="muted">It may now:</p>
${scopeList(app.scopes)}
<form method="post" action="${revokePath(app.grantId)}">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="danger" type="submit">Remove access</button>
</form>
<a class="button secondary" href="/account">Cancel</a>`,
  );
}

/** `/`: what this server is, with the way to the account page and to discovery. */
export function homePage(): string {
  return page(
    'Authorization server',
    html`<h1>Portcullis</h1>
<p>This is an OAuth 2.0 and OpenID Connect authorization server: applications send you here to sign in and to ask for your permission.</p>
<ul class="links">
<li><a href="/account">Your account</a>: the apps you have allowed, and removing their access</li>
<li><a href="/.well-known/openid-configuration">OpenID Connect discovery</a>: this server's endpoints, for developers</li>
</ul>`,
  );
}

function scopeList(scopes: ScopeLine[]): SafeHtml {
  return html`<ul class="scopes">
${scopes.map((s) => html`<li>${s.description}<br><code>${s.name}${s.resource ? ` · ${s.resource}` : ''}</code></li>`)}
</ul>`;
}

// GET shows the confirmation page, POST (from it) removes the access.
function revokePath(grantId: string): string {
  return `/account/grants/${encodeURIComponent(grantId)}/revoke`;
}
