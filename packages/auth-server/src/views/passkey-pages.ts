import { html, page, type SafeHtml } from './html.ts';
import { type Said, say, t } from './i18n.ts';

/** Where the passkey script is served (routes/assets.ts). */
export const PASSKEY_SCRIPT_PATH = '/assets/passkeys.js';

/** A passkey button's form: where it posts and the options the browser is asked with. */
export interface PasskeyForm {
  action: string;
  csrf: string;
  /** The options of `navigator.credentials.get` (or `create`), as the server made them. */
  options: unknown;
}

/** A passkey the account page lists. */
export interface PasskeyLine {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const day = (date: Date) => date.toISOString().slice(0, 10);

/**
 * A form whose button asks the browser for a passkey (views/passkey-script.ts does it). Hidden
 * until the script shows it: without JavaScript the page offers only what works without it.
 * `fields` go inside the form (the new passkey's name).
 */
export function passkeyButton(
  form: PasskeyForm & { mode: 'create' | 'get'; label: string; fields?: SafeHtml },
): SafeHtml {
  return html`<form method="post" action="${form.action}" class="passkey" data-passkey="${form.mode}" data-passkey-options="${JSON.stringify(form.options)}" data-passkey-failed="${t('passkey.cancelled')}" hidden>
<input type="hidden" name="csrf" value="${form.csrf}">
<input type="hidden" name="credential" value="">
${form.fields ?? html``}
<p class="error" role="alert" data-passkey-error hidden></p>
<button class="${form.mode === 'create' ? 'primary' : 'secondary'}" type="submit">${form.label}</button>
</form>
<script src="${PASSKEY_SCRIPT_PATH}"></script>`;
}

/** The login page's "Sign in with a passkey" (no username: a discoverable credential). */
export function passwordlessButton(form: PasskeyForm): SafeHtml {
  return passkeyButton({ ...form, mode: 'get', label: t('passkey.sign_in') });
}

/** The account page's part about passkeys: the list, each with its links, and "Add". */
export function passkeysSection(passkeys: readonly PasskeyLine[]): SafeHtml {
  return html`<section class="app" aria-labelledby="passkeys-heading">
<h2 id="passkeys-heading">${t('passkey.heading')}</h2>
${
  passkeys.length === 0
    ? html`<p class="muted">${t('passkey.none')}</p>`
    : html`<ul class="passkeys">
${passkeys.map(
  (p) => html`<li><strong>${p.name}</strong>
<p class="muted">${t('passkey.item', { created: day(p.createdAt), used: p.lastUsedAt ? day(p.lastUsedAt) : t('passkey.never') })}</p>
<a class="button secondary" href="${passkeyRenamePath(p.id)}">${t('passkey.rename', { name: p.name })}</a>
<a class="button danger-outline" href="${passkeyRemovePath(p.id)}">${t('passkey.remove', { name: p.name })}</a></li>`,
)}
</ul>`
}
<a class="button secondary" href="/account/passkeys/new">${t('passkey.add')}</a>
</section>`;
}

/** The path of a passkey's removal: GET asks, POST (from that page) removes. */
function passkeyRemovePath(id: string): string {
  return `/account/passkeys/${encodeURIComponent(id)}/remove`;
}

/** The path of a passkey's renaming: GET shows the form, POST (from it) renames. */
function passkeyRenamePath(id: string): string {
  return `/account/passkeys/${encodeURIComponent(id)}/rename`;
}

/**
 * The new passkey's name field (1 to 60 characters), described by its hint and, after a refusal,
 * by the page's `passkey-error` message.
 */
export function passkeyNameField(options: {
  name?: string | undefined;
  error: boolean;
  autofocus: boolean;
}): SafeHtml {
  return html`<label for="passkey-name">${t('passkey.name')}</label>
<p class="muted" id="passkey-name-hint">${t('passkey.name_hint')}</p>
<input id="passkey-name" name="name" type="text" maxlength="60" required${options.autofocus ? html` autofocus` : html``} autocomplete="off" value="${options.name ?? ''}" aria-describedby="passkey-name-hint${options.error ? ' passkey-error' : ''}">`;
}

/** Adding a passkey: its name, then the browser's own dialog. */
export function addPasskeyPage(options: PasskeyForm & { error?: Said; name?: string }): string {
  const fields = passkeyNameField({
    name: options.name,
    error: Boolean(options.error),
    autofocus: true,
  });
  return page(
    t('passkey.add'),
    html`<h1>${t('passkey.add')}</h1>
<p>${t('passkey.add_intro')}</p>
${options.error ? html`<p class="error" id="passkey-error" role="alert">${say(options.error)}</p>` : html``}
<noscript><p class="error">${t('passkey.needs_script')}</p></noscript>
${passkeyButton({ ...options, mode: 'create', label: t('passkey.create'), fields })}
<a class="button secondary" href="/account">${t('passkey.cancel')}</a>`,
  );
}

/** Asks before removing a passkey. */
export function removePasskeyPage(options: { csrf: string; passkey: PasskeyLine }): string {
  const { passkey } = options;
  return page(
    t('passkey.remove_title'),
    html`<h1>${t('passkey.remove_heading', { name: passkey.name })}</h1>
<p>${t('passkey.remove_explain')}</p>
<form method="post" action="${passkeyRemovePath(passkey.id)}">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="danger" type="submit">${t('passkey.remove_submit')}</button>
</form>
<a class="button secondary" href="/account">${t('passkey.cancel')}</a>`,
  );
}

/**
 * Renaming a passkey: its name field, filled with `name` (the current name, or the one refused
 * with `error`). Works without JavaScript.
 */
export function renamePasskeyPage(options: {
  csrf: string;
  passkey: PasskeyLine;
  name?: string;
  error?: Said;
}): string {
  const { passkey, error } = options;
  return page(
    t('passkey.rename_title'),
    html`<h1>${t('passkey.rename_heading', { name: passkey.name })}</h1>
${error ? html`<p class="error" id="rename-error" role="alert">${say(error)}</p>` : html``}
<form method="post" action="${passkeyRenamePath(passkey.id)}">
<input type="hidden" name="csrf" value="${options.csrf}">
<label for="passkey-name">${t('passkey.name')}</label>
<p class="muted" id="passkey-name-hint">${t('passkey.name_hint')}</p>
<input id="passkey-name" name="name" type="text" maxlength="60" required autofocus autocomplete="off" value="${options.name ?? passkey.name}" aria-describedby="passkey-name-hint${error ? ' rename-error' : ''}"${error ? html` aria-invalid="true"` : html``}>
<button class="primary" type="submit">${t('passkey.rename_submit')}</button>
</form>
<a class="button secondary" href="/account">${t('passkey.cancel')}</a>`,
  );
}
