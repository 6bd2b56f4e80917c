import { html, page, type SafeHtml, trusted } from './html.ts';
import type { ClientDisplay } from './login-page.ts';

// The one field of the code step: six digits from the app, or a recovery code.
const codeField = (options: { error?: string | undefined; autofocus: boolean }) =>
  html`<label for="code">Code</label>
<p class="muted" id="code-hint">The 6-digit code from your authenticator app, or one of your recovery codes.</p>
<input id="code" name="code" type="text" inputmode="text" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required maxlength="32" aria-describedby="code-hint${options.error ? ' code-error' : ''}"${options.autofocus ? html` autofocus` : html``}>`;

/**
 * The second step of a sign-in: a code from the user's authenticator app or a recovery code.
 * `error` is the one message for every failure (a wrong, reused or locked-out code alike).
 */
export function mfaCodePage(options: {
  action: string;
  csrf: string;
  client: ClientDisplay;
  error?: string;
}): string {
  return page(
    'Enter your code',
    html`<h1>Enter your code</h1>
<p class="muted">to continue to <strong>${options.client.name}</strong></p>
${options.error ? html`<p class="error" id="code-error" role="alert">${options.error}</p>` : html``}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
${codeField({ error: options.error, autofocus: true })}
<button class="primary" type="submit">Continue</button>
</form>`,
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
 * back when the user may leave without it.
 */
export function totpSetupPage(options: {
  action: string;
  csrf: string;
  setup: TotpSetup;
  intro: string;
  cancel?: { href: string; label: string };
  error?: string;
}): string {
  const grouped = options.setup.secret.match(/.{1,4}/g)?.join(' ') ?? options.setup.secret;
  return page(
    'Set up an authenticator app',
    html`<h1>Set up an authenticator app</h1>
<p>${options.intro}</p>
<ol class="steps">
<li>Scan this QR code with an authenticator app.</li>
<li>Or enter this key by hand: <code class="secret" id="totp-secret">${grouped}</code></li>
<li>Enter the 6-digit code the app shows.</li>
</ol>
<figure class="qr" role="img" aria-label="QR code holding the key above">${trusted(options.setup.qrSvg)}</figure>
${options.error ? html`<p class="error" id="code-error" role="alert">${options.error}</p>` : html``}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="code">Code from the app</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="8" required${options.error ? html` aria-describedby="code-error" autofocus` : html``}>
<button class="primary" type="submit">Turn on</button>
</form>
${options.cancel ? html`<a class="button secondary" href="${options.cancel.href}">${options.cancel.label}</a>` : html``}`,
  );
}

/** The ten recovery codes, shown once, with the way on. */
export function recoveryCodesPage(options: { codes: readonly string[]; next: string }): string {
  return page(
    'Your recovery codes',
    html`<h1>Save your recovery codes</h1>
<p>Your authenticator app is set up. If you lose it, each of these codes signs you in once instead of a code from the app. Keep them somewhere safe: they are shown only now.</p>
<ul class="recovery">
${options.codes.map((code) => html`<li><code>${code}</code></li>`)}
</ul>
<a class="button primary" href="${options.next}">I saved them, continue</a>`,
  );
}

/** The account page's part about second factors; `factor` is the app set up, if any. */
export function mfaAccountSection(options: {
  csrf: string;
  factor?: { id: string; label: string; confirmedAt: Date | null };
  recoveryCodesLeft: number;
  /** The last attempt to turn it off had a wrong password or code. */
  refused?: boolean;
}): SafeHtml {
  const { factor } = options;
  if (!factor) {
    return html`<section class="app" aria-labelledby="mfa-heading">
<h2 id="mfa-heading">Two-step sign-in</h2>
<p class="muted">Off: a password alone signs you in.</p>
<a class="button secondary" href="/account/mfa">Set up an authenticator app</a>
</section>`;
  }
  return html`<section class="app" aria-labelledby="mfa-heading">
<h2 id="mfa-heading">Two-step sign-in</h2>
<p class="muted">${factor.label}, set up on ${factor.confirmedAt?.toISOString().slice(0, 10) ?? ''}. ${options.recoveryCodesLeft} recovery codes left.</p>
${options.refused ? html`<p class="error" id="remove-error" role="alert">The password or code is not right.</p>` : html``}
<form method="post" action="/account/mfa/remove">
<input type="hidden" name="csrf" value="${options.csrf}">
<input type="hidden" name="factor" value="${factor.id}">
<label for="remove-proof">Your password or a current code</label>
<input id="remove-proof" name="proof" type="password" autocomplete="current-password" required>
<button class="danger-outline" type="submit">Turn off two-step sign-in</button>
</form>
</section>`;
}
