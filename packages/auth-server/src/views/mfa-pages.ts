import { html, page, type SafeHtml, tHtml, trusted } from './html.ts';
import { type Said, say, t } from './i18n.ts';
import type { ClientDisplay } from './login-page.ts';
import { type PasskeyForm, passkeyButton, passkeyNameField } from './passkey-pages.ts';

// The one field of the code step: six digits from the app, or a recovery code.
const codeField = (options: {
  error?: Said | undefined;
  autofocus: boolean;
  recoveryOnly: boolean;
}) =>
  html`<label for="code">${t('device.code')}</label>
<p class="muted" id="code-hint">${t(options.recoveryOnly ? 'mfa.recovery_hint' : 'mfa.code_hint')}</p>
<input id="code" name="code" type="text" inputmode="text" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required maxlength="32" aria-describedby="code-hint${options.error ? ' code-error' : ''}"${options.autofocus ? html` autofocus` : html``}>`;

/**
 * The second step of a sign-in: a code from the user's authenticator app or a recovery code, and
 * (`passkey`) a button to use one of the user's passkeys instead. `codes: false` (a user with
 * passkeys only) leaves the code field out; `codes: 'recovery'` (passkeys and recovery codes,
 * no app) asks for a recovery code only. `error` is the one message for every failure (a wrong,
 * reused or locked-out code alike).
 */
export function mfaCodePage(options: {
  action: string;
  csrf: string;
  client: ClientDisplay;
  error?: Said;
  passkey?: PasskeyForm;
  codes?: boolean | 'recovery';
}): string {
  const codes = options.codes !== false;
  return page(
    t('mfa.code_title'),
    html`<h1>${t('mfa.code_title')}</h1>
<p class="muted">${tHtml('login.continue_to', { client: html`<strong>${say(options.client.name)}</strong>` })}</p>
${options.error ? html`<p class="error" id="code-error" role="alert">${say(options.error)}</p>` : html``}
${
  codes
    ? html`<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
${codeField({ error: options.error, autofocus: true, recoveryOnly: options.codes === 'recovery' })}
<button class="primary" type="submit">${t('device.continue')}</button>
</form>`
    : html`<noscript><p class="error">${t('passkey.script_off')}</p></noscript>`
}
${options.passkey ? passkeyButton({ ...options.passkey, mode: 'get', label: t('passkey.use') }) : html``}`,
  );
}

/** What the authenticator-app setup page shows: the QR code and the same seed as text. */
export interface TotpSetup {
  /** The QR code of the otpauth:// URI, an SVG we rendered (no external image). */
  qrSvg: string;
  /** The seed in base32, for typing by hand. */
  secret: string;
}

/**
 * Setting up an authenticator app: scan the QR code (or type the key), then confirm with a
 * code. `intro` says why (asked at sign-in, or chosen on the account page); `cancel` is a link
 * back when the user may leave without it. `passkey` offers creating a passkey instead, on this
 * page (a name, then the browser's dialog: hidden without JavaScript, where the app is the way);
 * `passkeyLink` links to the page that adds one.
 */
export function totpSetupPage(options: {
  action: string;
  csrf: string;
  setup: TotpSetup;
  intro: Said;
  cancel?: { href: string; label: Said };
  error?: Said;
  passkey?: PasskeyForm & { error?: Said };
  passkeyLink?: string;
}): string {
  const grouped = options.setup.secret.match(/.{1,4}/g)?.join(' ') ?? options.setup.secret;
  return page(
    t('mfa.setup_title'),
    html`<h1>${t('mfa.setup_title')}</h1>
<p>${say(options.intro)}</p>
<ol class="steps">
<li>${t('mfa.scan')}</li>
<li>${t('mfa.by_hand')} <code class="secret" id="totp-secret">${grouped}</code></li>
<li>${t('mfa.enter_code')}</li>
</ol>
<figure class="qr" role="img" aria-label="${t('mfa.qr_label')}">${trusted(options.setup.qrSvg)}</figure>
${options.error ? html`<p class="error" id="code-error" role="alert">${say(options.error)}</p>` : html``}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="code">${t('mfa.code_from_app')}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="8" required${options.error ? html` aria-describedby="code-error" autofocus` : html``}>
<button class="primary" type="submit">${t('mfa.turn_on')}</button>
</form>
${options.passkey ? passkeyInstead(options.passkey) : html``}
${options.passkeyLink ? html`<a class="button secondary" href="${options.passkeyLink}">${t('passkey.instead_link')}</a>` : html``}
${options.cancel ? html`<a class="button secondary" href="${options.cancel.href}">${say(options.cancel.label)}</a>` : html``}`,
  );
}

// The setup page's other way: a passkey made here, its heading and name inside the hidden form.
function passkeyInstead(form: PasskeyForm & { error?: Said }): SafeHtml {
  const fields = html`<h2 id="passkey-instead">${t('passkey.instead_heading')}</h2>
<p>${t('passkey.instead_intro')}</p>
${form.error ? html`<p class="error" id="passkey-error" role="alert">${say(form.error)}</p>` : html``}
${passkeyNameField({ error: Boolean(form.error), autofocus: false })}`;
  return passkeyButton({ ...form, mode: 'create', label: t('passkey.create'), fields });
}

/**
 * The ten recovery codes, shown once, with the way on; `factor` is what was just set up (an
 * authenticator app unless said).
 */
export function recoveryCodesPage(options: {
  codes: readonly string[];
  next: string;
  factor?: 'totp' | 'passkey';
}): string {
  return page(
    t('mfa.recovery_title'),
    html`<h1>${t('mfa.recovery_heading')}</h1>
<p>${t(options.factor === 'passkey' ? 'mfa.recovery_explain_passkey' : 'mfa.recovery_explain')}</p>
<ul class="recovery">
${options.codes.map((code) => html`<li><code>${code}</code></li>`)}
</ul>
<a class="button primary" href="${options.next}">${t('mfa.recovery_saved')}</a>`,
  );
}

/** The account page's part about second factors; `factor` is the app set up, if any. */
export function mfaAccountSection(options: {
  csrf: string;
  factor?: { id: string; label: string; confirmedAt: Date | null };
  recoveryCodesLeft: number;
  /** The last attempt to turn it off had a wrong password or code. */
  refused?: boolean;
  /** The user has passkeys: without an app, they are the second step. */
  passkeys?: boolean;
}): SafeHtml {
  const { factor } = options;
  if (!factor) {
    return html`<section class="app" aria-labelledby="mfa-heading">
<h2 id="mfa-heading">${t('mfa.heading')}</h2>
<p class="muted">${options.passkeys ? `${t('passkey.mfa_on')} ${t('mfa.codes_left', { count: options.recoveryCodesLeft })}` : t('mfa.off')}</p>
<a class="button secondary" href="/account/mfa">${t('mfa.setup_title')}</a>
</section>`;
  }
  return html`<section class="app" aria-labelledby="mfa-heading">
<h2 id="mfa-heading">${t('mfa.heading')}</h2>
<p class="muted">${t('mfa.on', { label: factor.label, date: factor.confirmedAt?.toISOString().slice(0, 10) ?? '', count: options.recoveryCodesLeft })}</p>
${options.refused ? html`<p class="error" id="remove-error" role="alert">${t('mfa.remove_failed')}</p>` : html``}
<form method="post" action="/account/mfa/remove">
<input type="hidden" name="csrf" value="${options.csrf}">
<input type="hidden" name="factor" value="${factor.id}">
<label for="remove-proof">${t('mfa.remove_proof')}</label>
<input id="remove-proof" name="proof" type="password" autocomplete="current-password" required>
<button class="danger-outline" type="submit">${t('mfa.turn_off')}</button>
</form>
</section>`;
}
