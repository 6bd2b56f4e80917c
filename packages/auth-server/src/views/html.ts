import { createHash } from 'node:crypto';
import { BRAND_LOGO_PATH } from './brand.ts';
import { currentLanguage, type MessageKey, PLACEHOLDER, t, template } from './i18n.ts';
import { currentBrand } from './page-context.ts';

/** Escapes text for HTML element content and quoted attribute values. */
function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** HTML that is already safe: built only from escaped values and our own markup. */
export interface SafeHtml {
  readonly html: string;
}

/** Tagged template that escapes every interpolated value unless it is {@link SafeHtml}. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const parts = Array.isArray(value) ? value : [value];
    out += parts.map((p) => (isSafe(p) ? p.html : escapeHtml(p))).join('');
    out += strings[i + 1] ?? '';
  });
  return { html: out };
}

/** Marks markup produced by oidc-provider (its forms) as safe to embed. */
export function trusted(markup: string): SafeHtml {
  return { html: markup };
}

function isSafe(value: unknown): value is SafeHtml {
  return (
    typeof value === 'object' && value !== null && typeof (value as SafeHtml).html === 'string'
  );
}

// A loopback origin over plain http (what a client's logo may use in development).
const LOOPBACK_ORIGIN = /^http:\/\/(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/;

/**
 * Our pages' Content-Security-Policy: no script at all, our stylesheet, images from us and https
 * (client logos), plus `imageOrigin` when it is a loopback http origin (a logo in development,
 * which the clients service allows); anything else in `imageOrigin` is left out.
 */
export function contentSecurityPolicy(imageOrigin?: string): string {
  const extra = imageOrigin && LOOPBACK_ORIGIN.test(imageOrigin) ? ` ${imageOrigin}` : '';
  return `default-src 'none'; style-src 'self'; img-src 'self' https: data:${extra}; base-uri 'none'; frame-ancestors 'none'`;
}

/**
 * The policy of a page with a passkey button: {@link contentSecurityPolicy} and scripts from
 * this server only (`/assets/passkeys.js`); still no inline script, no `eval`, no fetch.
 */
export const PASSKEY_PAGE_POLICY = `${contentSecurityPolicy()}; script-src 'self'`;

/** Headers every page of ours carries (docs/security.md: pages). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': contentSecurityPolicy(),
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/**
 * {@link PAGE_HEADERS} for a page that is not ours but has inline scripts (oidc-provider's
 * auto-submit forms): the same policy, with each script allowed by its SHA-256 and nothing else.
 *
 * @example
 * ctx.set(pageHeadersAllowing(['document.forms[0].submit()']));
 */
export function pageHeadersAllowing(scripts: readonly string[]): Record<string, string> {
  const hashes = scripts.map(
    (script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`,
  );
  const policy = contentSecurityPolicy();
  return {
    ...PAGE_HEADERS,
    'content-security-policy':
      hashes.length > 0 ? `${policy}; script-src ${hashes.join(' ')}` : policy,
  };
}

/**
 * A whole page in our layout: the brand's logo and name in the header, its support link in the
 * footer (views/page-context.ts gives the brand of the request).
 */
export function page(title: string, body: SafeHtml): string {
  const brand = currentBrand();
  return html`<!doctype html>
<html lang="${currentLanguage()}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${brand.name}</title>
<link rel="stylesheet" href="/assets/portcullis.css">
</head>
<body>
<header class="brand">${brand.logo ? html`<img src="${BRAND_LOGO_PATH}" alt="">` : html``}<span>${brand.name}</span></header>
<main class="card">
${body}
</main>
${brand.supportUrl ? html`<footer class="support"><a href="${brand.supportUrl}">${t('layout.support')}</a></footer>` : html``}
</body>
</html>
`.html;
}

/**
 * The message `key` as markup: its text escaped, each placeholder filled with `params`' markup
 * (a value is escaped unless it is SafeHtml), for a name in bold inside a translated sentence.
 *
 * @example
 * tHtml('login.continue_to', { client: html`<strong>${name}</strong>` });
 */
export function tHtml(key: MessageKey, params: Readonly<Record<string, unknown>>): SafeHtml {
  const text = template(key);
  const parts: SafeHtml[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1] as string;
    parts.push(html`${text.slice(last, match.index)}`);
    parts.push(name in params ? html`${params[name]}` : html`${match[0]}`);
    last = match.index + match[0].length;
  }
  parts.push(html`${text.slice(last)}`);
  return html`${parts}`;
}
